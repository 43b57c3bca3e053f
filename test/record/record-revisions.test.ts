import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { applyComponent, testApp } from '../harness/apps.js';
import { sealRelease } from '../harness/history-checksums.js';
import { currentRelease, recordHistory, recording, recordingDir } from '../harness/histories.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { GOOD, NEWER, recordClosed, step, UNPULLABLE, waitSuspendedAt } from './recording.js';

/**
 * Records the revision histories of the paths that matter for upgrades (test/replay/replay-paths.ts)
 * into the current release's folder. Runs only with `REVELA_RECORD=1` (`npm run record:histories`);
 * a history that exists is never recorded again.
 */
describe.skipIf(!recording())('record revision histories', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
    if (existsSync(join(recordingDir(), currentRelease())))
      await sealRelease(currentRelease(), recordingDir());
  });
  const rev = (namespace: string, name: string) =>
    stack.temporal.workflow.getHandle(revisionWorkflowId(namespace, name));

  it('cancellation with applies in flight', async () => {
    const ref = { name: 'inflight', namespace: 'rec-cancel' };
    const held = stack.clusters.faults('local').hold({ verbs: ['patch'], path: '/deployments/slow' });
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { slow: GOOD, other: GOOD } }),
      publishVersion: 'v1',
    });
    await held.waitForRequest(30_000);
    const v2 = await stack.client.publish({
      app: testApp({ ...ref, components: { slow: NEWER, other: NEWER } }),
      publishVersion: 'v2',
    });
    held.release();
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Terminated');
    await recordClosed(rev(ref.namespace, v1.revision), 'revision-cancelled-mid-apply');
  });

  it('suspend, resume and approval', async () => {
    const ref = { name: 'approved', namespace: 'rec-suspend' };
    const app = testApp({
      ...ref,
      components: { a: GOOD },
      steps: [
        { name: 'hold', type: 'suspend' },
        { name: 'approve', type: 'deploy', properties: { auto: false } },
      ],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    await waitSuspendedAt(stack, ref, 'hold');
    await stack.client.resume({ ...ref, step: 'hold' });
    await waitSuspendedAt(stack, ref, 'approve');
    await stack.client.resume({ ...ref, step: 'approve' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    await recordClosed(rev(ref.namespace, v1.revision), 'revision-suspend-resume-approval');
  });

  it('a revision writes its phase and status memo only when they change', async () => {
    const ref = { name: 'quiet', namespace: 'rec-visibility' };
    await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD, b: GOOD } }),
      publishVersion: 'v1',
    });
    await stack.client.waitForRevision(ref, 'quiet-v1');
    const v2 = await stack.client.publish({
      app: testApp({
        ...ref,
        components: { a: NEWER },
        steps: [applyComponent('a'), { name: 'hold', type: 'suspend' }],
      }),
      publishVersion: 'v2',
    });
    await waitSuspendedAt(stack, ref, 'hold');
    await stack.client.resume({ ...ref, step: 'hold' });
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    await eventually('b to be collected', async () =>
      (await stack.clusters.deployment('local', ref.namespace, 'b')) === undefined ? true : undefined,
    );
    const handle = rev(ref.namespace, v2.revision);
    await recordClosed(handle, 'revision-visibility-on-change');
    // One write per phase the run went through: Executing, Suspended, Executing, Succeeded.
    const phases = ((await handle.fetchHistory()).events ?? []).flatMap((e) => {
      const field =
        e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.RevelaPhase;
      return field?.data ? [JSON.parse(Buffer.from(field.data).toString()) as string] : [];
    });
    expect(phases).toEqual(['Executing', 'Suspended', 'Executing', 'Succeeded']);
    const described = await handle.describe();
    expect(described.memo).toMatchObject({
      status: 'Succeeded',
      run: { status: 'Succeeded', finished: true },
    });
  });

  it('a step timeout', async () => {
    const ref = { name: 'slow', namespace: 'rec-timeout' };
    const app = testApp({
      ...ref,
      components: { stuck: UNPULLABLE, cleanup: GOOD },
      steps: [applyComponent('stuck', { timeout: '2s' }), applyComponent('cleanup', { if: 'always' })],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Failed',
    );
    const s = await stack.client.status(ref);
    expect(step(s.run?.steps, 'apply-stuck')).toMatchObject({ phase: 'failed', reason: 'Timeout' });
    await recordClosed(rev(ref.namespace, v1.revision), 'revision-step-timeout');
  });

  it('DAG mode, step groups and a failed step', async () => {
    const ref = { name: 'graph', namespace: 'rec-dag' };
    const app = testApp({
      ...ref,
      components: { db: GOOD, cache: GOOD, broken: UNPULLABLE, api: GOOD },
      mode: { steps: 'DAG', subSteps: 'DAG' },
      steps: [
        { name: 'data', type: 'step-group', subSteps: [applyComponent('db'), applyComponent('cache')] },
        applyComponent('broken', { timeout: '2s' }),
        applyComponent('api', { dependsOn: ['data', 'apply-broken'] }),
      ],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Failed',
    );
    const s = await stack.client.status(ref);
    expect(step(s.run?.steps, 'data')?.phase).toBe('succeeded');
    expect(step(s.run?.steps, 'apply-broken')?.phase).toBe('failed');
    expect(step(s.run?.steps, 'apply-api')?.phase).toBe('skipped');
    await recordClosed(rev(ref.namespace, v1.revision), 'revision-dag-step-groups-failed');
  });

  it('garbage collection in a revision', async () => {
    const ref = { name: 'shrink', namespace: 'rec-gc' };
    await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD, b: GOOD } }),
      publishVersion: 'v1',
    });
    await stack.client.waitForRevision(ref, 'shrink-v1');
    const v2 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD } }),
      publishVersion: 'v2',
    });
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    await eventually('b to be collected', async () =>
      (await stack.clusters.deployment('local', ref.namespace, 'b')) === undefined ? true : undefined,
    );
    await recordClosed(rev(ref.namespace, v2.revision), 'revision-collects-garbage');
  });

  it("the revision's side of a rollback, and garbage collection in a rollback", async () => {
    const ref = { name: 'undo', namespace: 'rec-rollback' };
    await stack.client.publish({ app: testApp({ ...ref, components: { a: GOOD } }), publishVersion: 'v1' });
    await stack.client.waitForRevision(ref, 'undo-v1');
    const v2 = await stack.client.publish({
      app: testApp({
        ...ref,
        components: { a: NEWER, extra: GOOD },
        steps: [applyComponent('a'), applyComponent('extra'), { name: 'hold', type: 'suspend' }],
      }),
      publishVersion: 'v2',
    });
    await waitSuspendedAt(stack, ref, 'hold');
    expect(await stack.client.rollback(ref)).toMatchObject({ from: v2.revision, to: 'undo-v1' });
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('RolledBack');
    await eventually('the rollback to collect extra', async () =>
      (await stack.clusters.deployment('local', ref.namespace, 'extra')) === undefined ? true : undefined,
    );
    expect((await stack.clusters.deployment('local', ref.namespace, 'a'))?.image).toBe(GOOD);
    await recordClosed(rev(ref.namespace, v2.revision), 'revision-rolled-back');
    // Where the rollback's applies and deletes run: the entity in 0.1.0, its own workflow since.
    // Its id carries the write fence it was given (the third after v1 and v2), found by RevelaApp.
    const rollbackId = await eventually('the rollback workflow to be listed', async () => {
      for await (const w of stack.temporal.workflow.list({
        query: `RevelaApp="${ref.namespace}/${ref.name}"`,
      }))
        if (w.workflowId.startsWith(`rollback/${ref.namespace}/${ref.name}/`)) return w.workflowId;
      return undefined;
    });
    const rollback = stack.temporal.workflow.getHandle(rollbackId);
    await recordClosed(rollback, 'rollback-collects-garbage');
    await recordHistory(
      stack.temporal.workflow.getHandle(applicationWorkflowId(ref.namespace, ref.name)),
      'application-rollback-collects-garbage',
    );
  });
});
