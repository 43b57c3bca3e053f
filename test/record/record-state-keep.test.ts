import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateKeepWorkflowId } from '../../model/ids.js';
import { testApp } from '../harness/apps.js';
import { sealRelease } from '../harness/history-checksums.js';
import { currentRelease, recordHistory, recording, recordingDir } from '../harness/histories.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { GOOD, NEWER } from './recording.js';

/**
 * Records state-keep histories (test/replay/replay-paths.ts). A state-keep workflow sleeps for its
 * whole life between checks, so it is what a worker upgrade meets most often. The history is
 * recorded while it sleeps, as a new worker would find it. Runs only with `REVELA_RECORD=1`.
 */
describe.skipIf(!recording())('record state-keep histories', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // A long interval: the recording ends asleep, with no periodic check after the woken ones.
    stack = await startTestStack({ engine: { stateKeepIntervalMs: 3_600_000, stateKeepSettleMs: 3000 } });
  });
  afterAll(async () => {
    await stack?.stop();
    if (existsSync(join(recordingDir(), currentRelease())))
      await sealRelease(currentRelease(), recordingDir());
  });

  it('state keep started by a success, woken by the next one, and again after its check', async () => {
    const ref = { name: 'kept', namespace: 'rec-state-keep' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD } }),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    const v2 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: NEWER } }),
      publishVersion: 'v2',
    });
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    await eventually('a state-keep check of v2', async () => {
      const last = (await stack.client.status(ref)).stateKeep?.last;
      return last?.revision === v2.revision ? last : undefined;
    });
    // Woken again while asleep after a check: it settles, then checks v3.
    const v3 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD } }),
      publishVersion: 'v3',
    });
    expect((await stack.client.waitForRevision(ref, v3.revision)).status).toBe('Succeeded');
    await eventually('a state-keep check of v3', async () => {
      const last = (await stack.client.status(ref)).stateKeep?.last;
      return last?.revision === v3.revision ? last : undefined;
    });
    const keeper = stack.temporal.workflow.getHandle(stateKeepWorkflowId(ref.namespace, ref.name));
    await recordHistory(keeper, 'state-keep-settles');
  });
});
