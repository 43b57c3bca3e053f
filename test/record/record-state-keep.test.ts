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
    const succeeded = async (version: string, image: string): Promise<string> => {
      const { revision } = await stack.client.publish({
        app: testApp({ ...ref, components: { a: image } }),
        publishVersion: version,
      });
      expect((await stack.client.waitForRevision(ref, revision)).status).toBe('Succeeded');
      return revision;
    };
    const checked = (revision: string) =>
      eventually(`a state-keep check of ${revision}`, async () => {
        const last = (await stack.client.status(ref)).stateKeep?.last;
        return last?.revision === revision ? last : undefined;
      });
    await succeeded('v1', GOOD);
    // Woken inside the settle period that v1's success started: one check, of v2.
    await checked(await succeeded('v2', NEWER));
    // Woken again while asleep after a check: it settles, then checks v3.
    await checked(await succeeded('v3', GOOD));
    const keeper = stack.temporal.workflow.getHandle(stateKeepWorkflowId(ref.namespace, ref.name));
    await recordHistory(keeper, 'state-keep-settles');
  });
});
