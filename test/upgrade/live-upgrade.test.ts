import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
// A CommonJS package whose exports Node's ESM loader cannot list: use its default export.
import proto from '@temporalio/proto';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { createRevelaWorker, type RevelaWorker } from '../../worker/create-worker.js';
import { applyComponent, testApp } from '../harness/apps.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { eventually, FAST_ENGINE, startTestStack, type TestStack } from '../harness/stack.js';
import { checkoutRelease, type OldRelease } from './old-release.js';

/** The last commit of 0.1.0, whose workers were unversioned. */
const RELEASE_0_1_0 = 'de1c31d';
const V1 = 'stefanprodan/podinfo:6.0.1';
const V2 = 'stefanprodan/podinfo:6.0.2';

/** The parts of 0.1.0's modules this test drives (their own types live in the old tree). */
interface OldWorkerModule {
  createRevelaWorker(
    this: void,
    options: {
      config: unknown;
      workflowBundle: { code: string };
      identity: string;
    },
  ): Promise<{ worker: RevelaWorker['worker']; close(): Promise<void> }>;
}
interface OldClient {
  publish(request: { app: unknown; publishVersion: string }): Promise<{ revision: string }>;
  status(ref: { name: string; namespace: string }): Promise<{ run?: { status: string } }>;
  waitForRevision(
    ref: object,
    revision: string,
    options?: { timeoutMs?: number },
  ): Promise<{ status: string }>;
  close(): Promise<void>;
}

/** Events of a workflow's history (all runs of the first one are enough here: no continue-as-new). */
async function events(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

/** Workflow tasks that failed — a non-determinism error shows up as one, retried forever. */
async function failedWorkflowTasks(handle: WorkflowHandle): Promise<string[]> {
  return (await events(handle))
    .filter((e) => e.workflowTaskFailedEventAttributes)
    .map((e) => `${handle.workflowId}: ${e.workflowTaskFailedEventAttributes?.failure?.message ?? '?'}`);
}

/** Apply activities a revision scheduled: one per object and cluster when nothing ran twice. */
async function appliesScheduled(handle: WorkflowHandle): Promise<number> {
  return (await events(handle)).filter((e) =>
    /apply/i.test(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''),
  ).length;
}

/** Nodes and pods of a namespace on `local`, for a failure message that says why nothing got Ready. */
async function podsIn(stack: TestStack, namespace: string): Promise<string> {
  const nodes = await stack.clusters.list('local', { apiVersion: 'v1', kind: 'Node' });
  const pods = await stack.clusters.list('local', { apiVersion: 'v1', kind: 'Pod', namespace });
  const view = pods.map((p) => {
    const pod = p as {
      metadata: { name: string };
      spec?: { nodeName?: string };
      status?: { phase?: string };
    };
    return `${pod.metadata.name} ${pod.status?.phase ?? '?'} on ${pod.spec?.nodeName ?? 'no node'}`;
  });
  return `${nodes.length} node(s); pods in ${namespace}: ${view.join(', ') || 'none'}`;
}

/** Waits for a revision's final status; a timeout names the pods behind it. */
async function finalStatus(
  stack: TestStack,
  client: Pick<OldClient, 'waitForRevision'>,
  ref: { name: string; namespace: string },
  revision: string,
): Promise<string> {
  try {
    return (await client.waitForRevision(ref, revision, { timeoutMs: 90_000 })).status;
  } catch (err) {
    throw new Error(`${(err as Error).message} (${await podsIn(stack, ref.namespace)})`, { cause: err });
  }
}

async function versioningOf(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  // The raw proto carries the enum's number; its name is what an operator reads in the UI.
  const behavior =
    info?.behavior !== undefined && info.behavior !== null
      ? proto.temporal.api.enums.v1.VersioningBehavior[info.behavior]
      : undefined;
  return { behavior, buildId: info?.deploymentVersion?.buildId };
}

/**
 * A rollout meets workflows the release before it started. 0.1.0's workers were unversioned:
 * their runs move to the first versioned build and replay on its code (patches keep that
 * deterministic). From 0.2.0 on, a revision stays on the build that started it.
 */
describe('live worker upgrade', () => {
  let stack: TestStack;
  let old: OldRelease;
  beforeAll(async () => {
    old = await checkoutRelease(RELEASE_0_1_0);
    stack = await startTestStack({ startWorker: false });
  });
  afterAll(async () => {
    await stack?.stop();
    await old?.remove();
  });

  it('0.1.0 runs (a revision suspended at approval, an entity mid-history) finish on the 0.2.0 worker', async () => {
    const held = { name: 'held', namespace: 'upgrade' };
    const steady = { name: 'steady', namespace: 'upgrade' };
    const heldApp = (image: string) =>
      testApp({
        ...held,
        components: { a: image, b: image },
        steps: [applyComponent('a'), { name: 'approve', type: 'suspend' }, applyComponent('b')],
      });
    const steadyApp = (image: string) => testApp({ ...steady, components: { web: image } });

    // 0.1.0: its worker (bundle and activities) and its client, on this stack's task queue.
    const { loadWorkerConfig: oldConfig } = await old.importModule<{
      loadWorkerConfig(this: void, env: Record<string, string>): unknown;
    }>('worker/config.ts');
    const { createRevelaWorker: createOldWorker } =
      await old.importModule<OldWorkerModule>('worker/create-worker.ts');
    const { RevelaClient: OldRevelaClient } = await old.importModule<{
      RevelaClient: { connect(options: object): Promise<OldClient> };
    }>('client/revela-client.ts');
    const oldWorker = await createOldWorker({
      config: oldConfig({ ...stack.env }),
      workflowBundle: { code: old.bundleCode },
      identity: 'revela 0.1.0',
    });
    const oldRun = oldWorker.worker.run();
    const oldClient = await OldRevelaClient.connect({
      address: stack.env.TEMPORAL_ADDRESS,
      temporalNamespace: stack.namespace,
      taskQueue: stack.taskQueue,
      engine: FAST_ENGINE,
      requireWorker: false,
      env: { ...process.env, ...stack.env },
    });
    let heldV1: string;
    try {
      const steadyV1 = await oldClient.publish({ app: steadyApp(V1), publishVersion: 'v1' });
      expect(await finalStatus(stack, oldClient, steady, steadyV1.revision)).toBe('Succeeded');
      heldV1 = (await oldClient.publish({ app: heldApp(V1), publishVersion: 'v1' })).revision;
      await eventually(
        'held-v1 to wait for approval on 0.1.0',
        async () => ((await oldClient.status(held)).run?.status === 'Suspended' ? true : undefined),
        { describe: () => podsIn(stack, held.namespace) },
      );
      expect((await deploymentIn(stack.clusters, 'local', 'upgrade', 'a'))?.image).toBe(V1);
      expect(await deploymentIn(stack.clusters, 'local', 'upgrade', 'b')).toBeUndefined();
    } finally {
      await oldClient.close();
      oldWorker.worker.shutdown();
      await oldRun;
      await oldWorker.close();
    }

    // 0.2.0 replaces it: a versioned worker, the deployment's first (current) version.
    const worker = await stack.startWorker();
    expect(await worker.promotion).toEqual({ outcome: 'made current' });
    await stack.client.resume({ ...held, step: 'approve' });
    expect(await finalStatus(stack, stack.client, held, heldV1)).toBe('Succeeded');
    expect((await deploymentIn(stack.clusters, 'local', 'upgrade', 'b'))?.image).toBe(V1);
    const heldV2 = await stack.client.publish({ app: heldApp(V2), publishVersion: 'v2' });
    const steadyV2 = await stack.client.publish({ app: steadyApp(V2), publishVersion: 'v2' });
    expect(await finalStatus(stack, stack.client, steady, steadyV2.revision)).toBe('Succeeded');
    await eventually(
      'held-v2 to wait for approval on 0.2.0',
      async () => ((await stack.client.status(held)).run?.status === 'Suspended' ? true : undefined),
      { describe: () => podsIn(stack, held.namespace) },
    );
    await stack.client.resume({ ...held, step: 'approve' });
    expect(await finalStatus(stack, stack.client, held, heldV2.revision)).toBe('Succeeded');
    expect((await deploymentIn(stack.clusters, 'local', 'upgrade', 'b'))?.image).toBe(V2);
    expect((await deploymentIn(stack.clusters, 'local', 'upgrade', 'web'))?.image).toBe(V2);

    const wf = (id: string) => stack.temporal.workflow.getHandle(id);
    const handles = [
      wf(applicationWorkflowId('upgrade', 'held')),
      wf(applicationWorkflowId('upgrade', 'steady')),
      wf(revisionWorkflowId('upgrade', heldV1)),
      wf(revisionWorkflowId('upgrade', heldV2.revision)),
      wf(revisionWorkflowId('upgrade', steadyV2.revision)),
    ];
    // No non-determinism: no workflow task of any of them failed, before or after the switch.
    expect((await Promise.all(handles.map(failedWorkflowTasks))).flat()).toEqual([]);
    // Nothing applied twice: held-v1 applied a on 0.1.0 and b on 0.2.0, once each.
    expect(await appliesScheduled(wf(revisionWorkflowId('upgrade', heldV1)))).toBe(2);
    // 0.1.0's runs declared no behaviour: they moved to 0.2.0 and auto-upgrade; 0.2.0's are pinned.
    const buildId = loadWorkerConfig(stack.env).versioning.buildId;
    expect(await versioningOf(wf(revisionWorkflowId('upgrade', heldV1)))).toEqual({
      behavior: 'VERSIONING_BEHAVIOR_AUTO_UPGRADE',
      buildId,
    });
    expect(await versioningOf(wf(revisionWorkflowId('upgrade', heldV2.revision)))).toEqual({
      behavior: 'VERSIONING_BEHAVIOR_PINNED',
      buildId,
    });
  });

  it('a revision pinned to one build finishes on it after the next build becomes current', async () => {
    const app = { name: 'pinned', namespace: 'rollout' };
    const spec = (image: string) =>
      testApp({
        ...app,
        components: { a: image, b: image },
        steps: [applyComponent('a'), { name: 'approve', type: 'suspend' }, applyComponent('b')],
      });
    if (!stack.worker) await stack.startWorker();
    const first = loadWorkerConfig(stack.env).versioning.buildId;
    const v1 = await stack.client.publish({ app: spec(V1), publishVersion: 'v1' });
    await eventually(
      'pinned-v1 to wait for approval',
      async () => ((await stack.client.status(app)).run?.status === 'Suspended' ? true : undefined),
      { describe: () => podsIn(stack, app.namespace) },
    );

    // The next release's workers start beside the running ones and make their build current.
    const next = await createRevelaWorker({
      config: loadWorkerConfig({ ...stack.env, REVELA_BUILD_ID: '0.2.1-next' }),
      registry: stack.registry,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      identity: 'revela 0.2.1',
    });
    const nextRun = next.worker.run();
    try {
      expect(await next.promotion).toEqual({ outcome: 'made current', previous: first });
      await stack.client.resume({ ...app, step: 'approve' });
      expect(await finalStatus(stack, stack.client, app, v1.revision)).toBe('Succeeded');
      const v2 = await stack.client.publish({ app: spec(V2), publishVersion: 'v2' });
      await eventually('pinned-v2 to wait for approval', async () =>
        (await stack.client.status(app)).run?.status === 'Suspended' ? true : undefined,
      );
      const rev = (name: string) => stack.temporal.workflow.getHandle(revisionWorkflowId('rollout', name));
      // v1 finished on the build that started it; v2 and the entity run on the current one.
      expect(await versioningOf(rev(v1.revision))).toEqual({
        behavior: 'VERSIONING_BEHAVIOR_PINNED',
        buildId: first,
      });
      expect(await versioningOf(rev(v2.revision))).toEqual({
        behavior: 'VERSIONING_BEHAVIOR_PINNED',
        buildId: '0.2.1-next',
      });
      expect(
        await versioningOf(stack.temporal.workflow.getHandle(applicationWorkflowId('rollout', 'pinned'))),
      ).toEqual({ behavior: 'VERSIONING_BEHAVIOR_AUTO_UPGRADE', buildId: '0.2.1-next' });
      // The old build's worker restarting while its runs drain does not take new work back.
      const { promoteVersion } = await import('../../worker/versioning.js');
      expect(
        await promoteVersion(
          stack.temporal.workflowService,
          stack.namespace,
          loadWorkerConfig(stack.env).versioning,
          {
            identity: 'restarted old pod',
          },
        ),
      ).toEqual({ outcome: 'newer release is current', current: '0.2.1-next' });
      await stack.client.resume({ ...app, step: 'approve' });
      expect(await finalStatus(stack, stack.client, app, v2.revision)).toBe('Succeeded');
    } finally {
      next.worker.shutdown();
      await nextRun;
      await next.close();
    }
  });
});
