import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RevelaClient } from '../../client/revela-client.js';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { applyUpdate, type ApplyResult } from '../../workflows/messages.js';
import { testApp } from '../harness/apps.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

/**
 * Issue 16's findings 3–10 that need no write held in flight, each as what a user would see.
 * (Findings 1 and 2 are in engine-fencing.test.ts.)
 */

const NS = 'default';
const LOCAL = [{ name: 'here', type: 'topology', properties: { clusters: ['local'] } }];

/** Components are named `<app>-<name>`: applications of one namespace must not share objects (ownership). */
function owned(app: string, components: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(components).map(([name, image]) => [`${app}-${name}`, image]));
}

function app(name: string, components: Record<string, string>, publishVersion: string) {
  return testApp({
    name,
    namespace: NS,
    components: owned(name, components),
    policies: LOCAL,
    publishVersion,
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the request to be refused');
}

describe('engine findings', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterEach(async () => {
    await stack.clusters.clearFaults();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Applies a version and waits for its revision to end; returns its metadata. */
  async function published(name: string, components: Record<string, string>, version: string) {
    const [outcome] = await stack.client.apply([app(name, components, version)]);
    const revision = outcome?.revision?.revision;
    if (!revision) throw new Error(`${name} ${version} did not publish: ${outcome?.message}`);
    return stack.client.waitForRevision({ name, namespace: NS }, revision, { timeoutMs: 90_000 });
  }

  /** As {@link published}, and the revision must succeed (its description says why not). */
  async function succeeded(name: string, components: Record<string, string>, version: string) {
    const meta = await published(name, components, version);
    const run =
      meta.status === 'Succeeded' ? undefined : (await stack.client.status({ name, namespace: NS })).run;
    if (meta.status !== 'Succeeded') {
      throw new Error(
        `${meta.name} is ${meta.status}: ${run?.message ?? meta.description ?? ''} ${JSON.stringify(run?.steps)}`,
      );
    }
    return meta;
  }

  it('finding 3: a revision whose garbage collection fails reports Failed with the reason, not Executing forever', async () => {
    const ref = { name: 'gc-fails', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1', extra: 'nginx:1' }, 'v1');
    stack.clusters.faults('local').failWith({
      status: 403,
      match: { verbs: ['delete'], path: '/deployments/gc-fails-extra' },
      message: 'deletes are forbidden here',
    });
    const v2 = await published(ref.name, { web: 'nginx:2' }, 'v2');
    expect(v2.status).toBe('Failed');
    const run = (await stack.client.status(ref)).run;
    expect(run?.message).toMatch(/forbidden/);
  });

  it('finding 3: a revision terminated from outside Revela (the Temporal UI) is recorded Terminated, and the next publish does not wait out the supersede bound', async () => {
    const ref = { name: 'ui-terminated', namespace: NS };
    const suspended = testApp({
      name: ref.name,
      namespace: NS,
      components: owned(ref.name, { web: 'nginx:1' }),
      policies: LOCAL,
      publishVersion: 'v1',
      steps: [{ name: 'hold', type: 'suspend', properties: {} }],
    });
    await stack.client.apply([suspended]);
    await stack.client.waitForRevision(ref, 'ui-terminated-v1', { until: ['Suspended'], timeoutMs: 60_000 });
    await stack.temporal.workflow
      .getHandle(revisionWorkflowId(NS, 'ui-terminated-v1'))
      .terminate('terminated in the Temporal UI');
    const v1 = await stack.client.waitForRevision(ref, 'ui-terminated-v1', { timeoutMs: 30_000 });
    expect(v1.status).toBe('Terminated');

    const started = Date.now();
    await stack.client.apply([app(ref.name, { web: 'nginx:2' }, 'v2')]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a revision terminated from outside while it waits for health keeps what it applied in the inventory (it never reports), and the next revision collects the object it no longer renders', async () => {
    const ref = { name: 'ui-terminated-applied', namespace: NS };
    const name = (c: string) => `${ref.name}-${c}`;
    // `extra`'s image is never pulled in these clusters: the run applies both, then waits.
    await stack.client.apply([
      app(ref.name, { web: 'nginx:1', extra: 'stefanprodan/podinfo:6.0.xxx' }, 'v1'),
    ]);
    await eventually('v1 to wait for health', async () => {
      const s = await stack.client.status(ref);
      return s.run?.steps[0]?.message === 'wait healthy' && s.waiting.length > 0 ? s : undefined;
    });
    expect(await stack.clusters.deployment('local', NS, name('extra'))).toBeDefined();
    await stack.temporal.workflow
      .getHandle(revisionWorkflowId(NS, `${ref.name}-v1`))
      .terminate('terminated in the Temporal UI');
    const v1 = await stack.client.waitForRevision(ref, `${ref.name}-v1`, { timeoutMs: 30_000 });
    expect(v1.status).toBe('Terminated');
    const inventory = await eventually('the inventory to list what v1 applied', async () => {
      const { app: entity } = await stack.client.status(ref);
      const names = entity.inventory.map((e) => e.name).sort();
      return names.length === 2 ? names : undefined;
    });
    expect(inventory).toEqual([name('extra'), name('web')]);

    await succeeded(ref.name, { web: 'nginx:2' }, 'v2');
    expect(await stack.clusters.deployment('local', NS, name('extra'))).toBeUndefined();
    expect((await stack.clusters.deployment('local', NS, name('web')))?.image).toBe('nginx:2');
  });

  it('finding 4: `workflow restart --step no-such-step` is refused with StepNotFound and nothing runs', async () => {
    const ref = { name: 'restart-step', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1' }, 'v1');
    const refused = await rejection(stack.client.restart({ ...ref, step: 'no-such-step' }));
    expect(refused.code).toBe('StepNotFound');
    expect(refused.message).toMatch(/has no step "no-such-step"/);
    const { app: entity } = await stack.client.status(ref);
    expect(entity.audit.some((a) => a.action === 'restart')).toBe(false);
    expect(entity.currentRevision?.status).toBe('Succeeded');
  });

  it('finding 5: publishes accepted one after another get numbers in that order, and the last accepted is current', async () => {
    const ref = { name: 'ordered', namespace: NS };
    const handle = stack.temporal.workflow.getHandle(applicationWorkflowId(NS, ref.name));
    await succeeded(ref.name, { web: 'nginx:0' }, 'v0');
    const updates = [];
    for (const version of ['p1', 'p2', 'p3', 'p4']) {
      updates.push(
        await handle.startUpdate(applyUpdate, {
          args: [{ application: app(ref.name, { web: `nginx:${version}` }, version) }],
          waitForStage: 'ACCEPTED',
        }),
      );
    }
    const results: ApplyResult[] = await Promise.all(updates.map((u) => u.result()));
    expect(results.map((r) => r.revision?.publishVersion)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(results.map((r) => r.revision?.number)).toEqual([2, 3, 4, 5]);
    const { app: entity } = await stack.client.status(ref);
    expect(entity.currentRevision?.publishVersion).toBe('p4');
  });

  it('finding 6: a rollback whose apply fails leaves the current revision current and not RolledBack', async () => {
    const ref = { name: 'rollback-fails', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1' }, 'v1');
    await succeeded(ref.name, { web: 'nginx:2' }, 'v2');
    stack.clusters.faults('local').failWith({
      status: 403,
      match: { verbs: ['patch'], path: '/deployments/rollback-fails-web' },
      message: 'writes are forbidden here',
    });
    const refused = await rejection(stack.client.rollback(ref));
    expect(refused.code).toBe('RollbackFailed');
    const { app: entity } = await stack.client.status(ref);
    expect(entity.currentRevision?.name).toBe('rollback-fails-v2');
    expect(entity.revisions.find((r) => r.name === 'rollback-fails-v2')?.status).toBe('Succeeded');
  });

  it('finding 7: a request no worker answers fails within its deadline with a message that says so', async () => {
    const ref = { name: 'no-answer', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1' }, 'v1');
    await succeeded(ref.name, { web: 'nginx:2' }, 'v2');
    await stack.stopWorker();
    const client = await RevelaClient.connect({
      env: stack.env,
      requireWorker: false,
      requestTimeoutMs: 3000,
    });
    try {
      const started = Date.now();
      const refused = await rejection(client.rollback(ref));
      expect(refused.code).toBe('DeadlineExceeded');
      expect(refused.message).toMatch(/no answer within 3 s — is a worker running/);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await client.close();
      await stack.startWorker();
    }
  });

  it('finding 8: a rollback retried with the same request id while the first runs is done once', async () => {
    const ref = { name: 'rollback-twice', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1' }, 'v1');
    await succeeded(ref.name, { web: 'nginx:2' }, 'v2');
    await succeeded(ref.name, { web: 'nginx:3' }, 'v3');
    const [first, second] = await Promise.all([
      stack.client.rollback({ ...ref, requestId: 'rollback-once' }),
      stack.client.rollback({ ...ref, requestId: 'rollback-once' }),
    ]);
    expect(first.to).toBe('rollback-twice-v2');
    expect(second).toEqual(first);
    const { app: entity } = await stack.client.status(ref);
    expect(entity.currentRevision?.name).toBe('rollback-twice-v2');
    expect(entity.audit.filter((a) => a.action === 'rollback')).toHaveLength(1);
  });

  it('finding 10: a revision records the clusters it was placed on at publish', async () => {
    const ref = { name: 'frozen', namespace: NS };
    await succeeded(ref.name, { web: 'nginx:1' }, 'v1');
    const { snapshot } = await stack.client.getRevision(ref, 'frozen-v1');
    expect(snapshot.clusters?.map((c) => c.name).sort()).toEqual(
      stack.registry
        .list()
        .map((c) => c.name)
        .sort(),
    );
    await eventually('the revision to be current', async () =>
      (await stack.client.status(ref)).app.currentRevision?.name === 'frozen-v1' ? true : undefined,
    );
  });
});
