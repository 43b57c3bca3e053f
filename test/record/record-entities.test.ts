import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWorkflowId, catalogWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import type { CatalogWorkflowInput } from '../../workflows/catalog.js';
import { applyComponent, testApp } from '../harness/apps.js';
import { sealRelease } from '../harness/history-checksums.js';
import { currentRelease, recordHistory, recording, recordingDir } from '../harness/histories.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { activityTypes, GOOD, NEWER, recordClosed, UNPULLABLE, waitSuspendedAt } from './recording.js';

const policy = (namespace: string, name: string) => ({
  apiVersion: 'core.oam.dev/v1alpha1' as const,
  kind: 'Policy' as const,
  metadata: { name, namespace },
  type: 'topology',
  properties: { clusters: ['local'] },
});

/**
 * Records the entity histories (application and catalog) of the paths that matter for upgrades
 * (test/replay/replay-paths.ts). Runs only with `REVELA_RECORD=1` (`npm run record:histories`).
 */
describe.skipIf(!recording())('record entity histories', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
    if (existsSync(join(recordingDir(), currentRelease())))
      await sealRelease(currentRelease(), recordingDir());
  });
  const entity = (namespace: string, name: string) =>
    stack.temporal.workflow.getHandle(applicationWorkflowId(namespace, name));

  it('the acknowledgement timeout terminates a child', async () => {
    const ref = { name: 'stubborn', namespace: 'rec-ack' };
    // The run cannot acknowledge within 200 ms: its apply is held, and its cancellation reaches
    // it only with its next heartbeat.
    const client = await stack.clientWith({ supersedeTimeoutMs: 200 });
    try {
      const held = stack.clusters.faults('local').hold({ verbs: ['patch'], path: '/deployments/web' });
      const v1 = await client.publish({
        app: testApp({ ...ref, components: { web: GOOD } }),
        publishVersion: 'v1',
      });
      await held.waitForRequest(30_000);
      const v2 = client.publish({
        app: testApp({ ...ref, components: { web: NEWER } }),
        publishVersion: 'v2',
      });
      await eventually('v1 to be terminated', async () =>
        (await stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision)).describe())
          .status.name === 'TERMINATED'
          ? true
          : undefined,
      );
      held.release();
      expect((await client.waitForRevision(ref, (await v2).revision)).status).toBe('Succeeded');
      expect(await activityTypes(entity(ref.namespace, ref.name))).toContain('terminateWorkflow');
      await recordHistory(entity(ref.namespace, ref.name), 'application-ack-timeout-terminates-child');
    } finally {
      await client.close();
    }
  });

  it('restart from a step', async () => {
    const ref = { name: 'again', namespace: 'rec-restart' };
    const app = testApp({
      ...ref,
      components: { a: GOOD, b: GOOD },
      steps: [applyComponent('a'), applyComponent('b')],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    const revision = stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision));
    const firstRun = (await revision.describe()).runId;
    await stack.client.restart({ ...ref, step: 'apply-b' });
    await eventually('the run restarted from apply-b to complete', async () => {
      const d = await revision.describe();
      return d.runId !== firstRun && d.status.name === 'COMPLETED' ? true : undefined;
    });
    await recordClosed(revision, 'revision-restarted-from-step');
    await recordHistory(entity(ref.namespace, ref.name), 'application-restart-from-step');
  });

  it('a second entity run supersedes a child started by the previous run', async () => {
    const ref = { name: 'carried', namespace: 'rec-carry' };
    const client = await stack.clientWith({ maxUpdatesPerRun: 2 });
    try {
      const held = (image: string) =>
        testApp({
          ...ref,
          components: { a: image },
          steps: [{ name: 'hold', type: 'suspend' }, applyComponent('a')],
        });
      const v1 = await client.publish({ app: held(GOOD), publishVersion: 'v1' });
      await waitSuspendedAt(stack, ref, 'hold');
      const handle = entity(ref.namespace, ref.name);
      const firstRun = (await handle.describe()).runId;
      // The second update of the run (a draft; suspend goes to the revision itself since 0.2.0):
      // the entity continues as new while v1 waits.
      await client.apply([testApp({ ...ref, components: { a: NEWER } })]);
      await eventually('the entity to continue as new', async () =>
        (await handle.describe()).runId !== firstRun ? true : undefined,
      );
      const v2 = await client.publish({
        app: testApp({ ...ref, components: { a: NEWER } }),
        publishVersion: 'v2',
      });
      expect((await client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
      expect((await client.waitForRevision(ref, v1.revision)).status).toBe('Terminated');
      await recordHistory(handle, 'application-supersedes-previous-run-child');
    } finally {
      await client.close();
    }
  });

  it('a publish supersedes a revision waiting for health, and waits until it closed', async () => {
    const ref = { name: 'waiting', namespace: 'rec-supersede' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: UNPULLABLE } }),
      publishVersion: 'v1',
    });
    await eventually('v1 to wait for health', async () =>
      (await stack.client.status(ref)).waiting.length > 0 ? true : undefined,
    );
    const v2 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD } }),
      publishVersion: 'v2',
    });
    expect(v2).toMatchObject({ superseded: v1.revision });
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Terminated');
    await recordClosed(
      stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision)),
      'revision-superseded-waiting-health',
    );
    await recordHistory(entity(ref.namespace, ref.name), 'application-supersedes-waiting-child');
  });

  it('a revision terminated from outside while it waits for health: the entity takes what it applied from its memo', async () => {
    const ref = { name: 'outside', namespace: 'rec-terminated' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD, b: UNPULLABLE } }),
      publishVersion: 'v1',
    });
    await eventually('v1 to wait for health', async () =>
      (await stack.client.status(ref)).waiting.length > 0 ? true : undefined,
    );
    const run = stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision));
    await run.terminate('terminated in the Temporal UI');
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Terminated');
    await eventually('the inventory to hold what v1 applied', async () =>
      (await stack.client.status(ref)).app.inventory.length === 2 ? true : undefined,
    );
    expect(await activityTypes(entity(ref.namespace, ref.name))).toContain('describeWorkflow');
    await recordClosed(run, 'revision-terminated-reports-at-end');
    await recordHistory(entity(ref.namespace, ref.name), 'application-terminated-child-memo-inventory');
  });

  it('publishes resolved by the local activity (no catalog to query), then by the activity after a catalog change', async () => {
    const ref = { name: 'kept', namespace: 'rec-local-resolve' };
    const publish = (image: string, version: string) =>
      stack.client.publish({ app: testApp({ ...ref, components: { a: image } }), publishVersion: version });
    await publish(GOOD, 'v1');
    const v2 = await publish(NEWER, 'v2');
    expect((await stack.client.waitForRevision(ref, v2.revision)).status).toBe('Succeeded');
    await stack.client.apply([policy(ref.namespace, 'here')]);
    const v3 = await publish(GOOD, 'v3');
    expect((await stack.client.waitForRevision(ref, v3.revision)).status).toBe('Succeeded');
    const resolves = (await activityTypes(entity(ref.namespace, ref.name))).filter(
      (t) => t === 'resolveSnapshot',
    );
    // No catalog existed for v1 and v2 (nothing to query); v3 found this namespace's catalog new.
    expect(resolves).toHaveLength(1);
    await recordHistory(entity(ref.namespace, ref.name), 'application-local-resolve');
  });

  it('a revision that ends by its own steps tells the entity run that started it by its result', async () => {
    const ref = { name: 'by-result', namespace: 'rec-result' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD } }),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    const run = stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision));
    const signals = ((await run.fetchHistory()).events ?? []).filter(
      (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes != null,
    );
    expect(signals).toEqual([]);
    await recordClosed(run, 'revision-reports-by-result');
    await recordHistory(entity(ref.namespace, ref.name), 'application-reports-by-result');
  });

  it('publishes answered as their revision starts, one of which cannot start', async () => {
    const ref = { name: 'at-start', namespace: 'rec-answer-at-start' };
    const publish = (image: string, version: string) =>
      stack.client.publish({ app: testApp({ ...ref, components: { a: image } }), publishVersion: version });
    const v1 = await publish(GOOD, 'v1');
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    // A workflow under the id v2 needs, on a queue nobody polls: the server refuses v2's start.
    const squatter = await stack.temporal.workflow.start('revision', {
      workflowId: revisionWorkflowId(ref.namespace, 'at-start-v2'),
      taskQueue: 'nobody-polls-this',
      args: [],
    });
    const refused = await publish(NEWER, 'v2').then(
      () => undefined,
      (err: unknown) => err,
    );
    await squatter.terminate('recording over');
    expect(refused).toMatchObject({ type: 'StartFailed' });
    const v3 = await publish(NEWER, 'v3');
    expect((await stack.client.waitForRevision(ref, v3.revision)).status).toBe('Succeeded');
    const { app } = await stack.client.status(ref);
    expect(app.revisions.map((r) => `${r.name} ${r.status}`)).toEqual([
      'at-start-v1 Succeeded',
      'at-start-v2 Failed',
      'at-start-v3 Succeeded',
    ]);
    await recordHistory(entity(ref.namespace, ref.name), 'application-answers-at-start');
  });

  it('catalog delete', async () => {
    const namespace = 'rec-catalog-delete';
    await stack.client.apply([policy(namespace, 'everywhere'), policy(namespace, 'here')]);
    await stack.client.deleteFromCatalog({ namespace, kind: 'Policy', name: 'here' });
    expect(Object.keys((await stack.client.getCatalog(namespace)).policies)).toEqual(['everywhere']);
    await recordHistory(stack.temporal.workflow.getHandle(catalogWorkflowId(namespace)), 'catalog-delete');
  });

  it('catalog continue-as-new', async () => {
    const namespace = 'rec-catalog-can';
    const input: CatalogWorkflowInput = { namespace, maxUpdatesPerRun: 2 };
    const first = await stack.temporal.workflow.start('catalog', {
      workflowId: catalogWorkflowId(namespace),
      taskQueue: stack.taskQueue,
      args: [input],
    });
    await stack.client.apply([policy(namespace, 'one')]);
    await stack.client.apply([policy(namespace, 'two')]);
    await stack.client.apply([policy(namespace, 'three')]);
    expect(Object.keys((await stack.client.getCatalog(namespace)).policies).sort()).toEqual([
      'one',
      'three',
      'two',
    ]);
    const closed = stack.temporal.workflow.getHandle(first.workflowId, first.firstExecutionRunId);
    expect((await closed.describe()).status.name).toBe('CONTINUED_AS_NEW');
    await recordHistory(closed, 'catalog-continued-as-new');
  });
});
