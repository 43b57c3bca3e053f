import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepStatus } from '../../workflows/messages.js';
import { applyComponent, testApp } from '../harness/apps.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

const GOOD = 'stefanprodan/podinfo:6.0.1';
const UNPULLABLE = 'stefanprodan/podinfo:6.0.xxx';

function step(steps: StepStatus[] | undefined, name: string): StepStatus | undefined {
  for (const s of steps ?? []) {
    if (s.name === name) return s;
    const sub = step(s.subSteps, name);
    if (sub) return sub;
  }
  return undefined;
}

/**
 * Steps and operations of a revision's workflow, with KubeVela's phases and reasons: suspend and
 * resume, approval, timeouts, `if`, DAG, step groups, terminate, restart, garbage collection,
 * rollback targets and retention.
 */
describe('revision workflows', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const deployed = (ns: string, name: string) => deploymentIn(stack.clusters, 'local', ns, name);

  it('a suspend step holds the workflow until resumed; later steps wait', async () => {
    const ref = { name: 'held', namespace: 'steps-suspend' };
    const app = testApp({
      ...ref,
      components: { a: GOOD, b: GOOD },
      steps: [applyComponent('a'), { name: 'hold', type: 'suspend' }, applyComponent('b')],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    const held = await eventually('the hold step to suspend', async () => {
      const s = await stack.client.status(ref);
      // The entity learns of the suspension by the revision's report, a moment after the revision.
      return step(s.run?.steps, 'hold')?.phase === 'suspending' && s.app.phase === 'workflowSuspending'
        ? s
        : undefined;
    });
    expect(held.run?.status).toBe('Suspended');
    expect(step(held.run?.steps, 'apply-a')?.phase).toBe('succeeded');
    expect(step(held.run?.steps, 'apply-b')?.phase).toBe('pending');
    expect(await deployed('steps-suspend', 'b')).toBeUndefined();

    await expect(stack.client.resume({ ...ref, step: 'no-such-step' })).rejects.toMatchObject({
      type: 'StepNotFound',
    });
    await stack.client.resume(ref);
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    expect((await deployed('steps-suspend', 'b'))?.image).toBe(GOOD);
  });

  it('a suspend step with a duration resumes by itself', async () => {
    const ref = { name: 'timed', namespace: 'steps-duration' };
    const app = testApp({
      ...ref,
      components: { a: GOOD },
      steps: [{ name: 'pause', type: 'suspend', properties: { duration: '1s' } }, applyComponent('a')],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 30_000 })).status).toBe(
      'Succeeded',
    );
    expect((await deployed('steps-duration', 'a'))?.image).toBe(GOOD);
  });

  it('a deploy step with auto: false waits for approval', async () => {
    const ref = { name: 'approval', namespace: 'steps-approval' };
    const app = testApp({
      ...ref,
      components: { a: GOOD },
      steps: [{ name: 'deploy-local', type: 'deploy', properties: { auto: false } }],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    const waiting = await eventually('the deploy step to wait for approval', async () => {
      const s = await stack.client.status(ref);
      return step(s.run?.steps, 'deploy-local')?.phase === 'suspending' ? s : undefined;
    });
    expect(step(waiting.run?.steps, 'deploy-local')?.message).toMatch(/^waiting for approval/);
    expect(await deployed('steps-approval', 'a')).toBeUndefined();
    await stack.client.resume({ ...ref, step: 'deploy-local' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    expect((await deployed('steps-approval', 'a'))?.image).toBe(GOOD);
  });

  it('a step timeout fails the step with reason Timeout; later steps are skipped unless `if: always`', async () => {
    const ref = { name: 'slow', namespace: 'steps-timeout' };
    const app = testApp({
      ...ref,
      components: { stuck: UNPULLABLE, after: GOOD, cleanup: GOOD },
      steps: [
        applyComponent('stuck', { timeout: '2s' }),
        applyComponent('after'),
        applyComponent('cleanup', { if: 'always' }),
      ],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    const failed = await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 30_000 });
    expect(failed).toMatchObject({ status: 'Failed', succeeded: false });
    const s = await stack.client.status(ref);
    expect(s.app.phase).toBe('workflowFailed');
    expect(step(s.run?.steps, 'apply-stuck')).toMatchObject({ phase: 'failed', reason: 'Timeout' });
    expect(step(s.run?.steps, 'apply-stuck')?.message).toContain(
      'local/steps-timeout/stuck is not healthy: Ready:0/1',
    );
    expect(step(s.run?.steps, 'apply-after')).toMatchObject({ phase: 'skipped', reason: 'Skip' });
    expect(step(s.run?.steps, 'apply-cleanup')?.phase).toBe('succeeded');
    expect(await deployed('steps-timeout', 'after')).toBeUndefined();
    expect((await deployed('steps-timeout', 'cleanup'))?.image).toBe(GOOD);
  });

  it('DAG mode runs independent steps together and dependent steps after their dependencies', async () => {
    const ref = { name: 'dag', namespace: 'steps-dag' };
    const app = testApp({
      ...ref,
      components: { db: GOOD, cache: GOOD, api: GOOD },
      mode: { steps: 'DAG' },
      steps: [
        applyComponent('db'),
        applyComponent('cache'),
        applyComponent('api', { dependsOn: ['apply-db', 'apply-cache'] }),
      ],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    const s = await stack.client.status(ref);
    expect(s.run?.mode.steps).toBe('DAG');
    const at = (name: string, field: 'firstExecuteTime' | 'lastExecuteTime') =>
      Date.parse(step(s.run?.steps, name)?.[field] ?? '');
    expect(at('apply-api', 'firstExecuteTime')).toBeGreaterThanOrEqual(at('apply-db', 'lastExecuteTime'));
    expect(at('apply-api', 'firstExecuteTime')).toBeGreaterThanOrEqual(at('apply-cache', 'lastExecuteTime'));
    // The two independent steps overlapped: each started before the other finished.
    expect(at('apply-cache', 'firstExecuteTime')).toBeLessThan(at('apply-db', 'lastExecuteTime'));
  });

  it('a step group runs its sub-steps and reports them nested', async () => {
    const ref = { name: 'grouped', namespace: 'steps-group' };
    const app = testApp({
      ...ref,
      components: { a: GOOD, b: GOOD },
      steps: [{ name: 'both', type: 'step-group', subSteps: [applyComponent('a'), applyComponent('b')] }],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    const s = await stack.client.status(ref);
    expect(s.run?.steps[0]).toMatchObject({ name: 'both', type: 'step-group', phase: 'succeeded' });
    expect(s.run?.steps[0]?.subSteps?.map((x) => `${x.id}:${x.phase}`)).toEqual([
      'both/apply-a:succeeded',
      'both/apply-b:succeeded',
    ]);
  });

  it('suspending the workflow stops the next step from starting; terminate ends the run; restart runs it again', async () => {
    const ref = { name: 'ops', namespace: 'steps-ops' };
    const app = testApp({
      ...ref,
      components: { a: GOOD, b: GOOD },
      steps: [applyComponent('a'), applyComponent('b')],
    });
    await stack.client.apply([app]);
    // The first publish happens on apply (no publishVersion); suspend it before step b.
    await stack.client.suspend(ref);
    const suspended = await eventually('apply-b to wait while suspended', async () => {
      const s = await stack.client.status(ref);
      return step(s.run?.steps, 'apply-b')?.phase === 'suspending' ? s : undefined;
    });
    expect(suspended.run?.status).toBe('Suspended');
    expect(await deployed('steps-ops', 'b')).toBeUndefined();

    const terminated = await stack.client.terminate({ ...ref, reason: 'bad release' });
    expect(terminated.message).toBe('ops-v1 terminated');
    const s = await stack.client.status(ref);
    expect(s.app.phase).toBe('workflowTerminated');
    expect(step(s.run?.steps, 'apply-b')).toMatchObject({
      phase: 'failed',
      reason: 'Terminate',
      message: 'bad release',
    });
    await expect(stack.client.resume(ref)).rejects.toMatchObject({ type: 'RevisionNotRunning' });

    await stack.client.restart(ref);
    expect((await stack.client.waitForRevision(ref, 'ops-v1')).status).toBe('Succeeded');
    expect((await deployed('steps-ops', 'b'))?.image).toBe(GOOD);
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['ops-v1']);
  });

  it('after a revision succeeds, objects the previous one applied and this one no longer renders are deleted', async () => {
    const ref = { name: 'shrink', namespace: 'steps-gc' };
    await stack.client.publish({
      app: testApp({ ...ref, components: { a: GOOD, b: GOOD } }),
      publishVersion: 'v1',
    });
    await stack.client.waitForRevision(ref, 'shrink-v1');
    expect(await deployed('steps-gc', 'b')).toBeDefined();
    await stack.client.publish({ app: testApp({ ...ref, components: { a: GOOD } }), publishVersion: 'v2' });
    await stack.client.waitForRevision(ref, 'shrink-v2');
    await eventually('the inventory to drop b', async () => {
      const s = await stack.client.status(ref);
      return s.app.inventory.every((e) => e.name !== 'b') ? s : undefined;
    });
    expect(await deployed('steps-gc', 'b')).toBeUndefined();
    expect((await deployed('steps-gc', 'a'))?.revision).toBe('shrink-v2');
  });

  it('rollback takes any retained succeeded revision with `to`, and refuses others', async () => {
    const ref = { name: 'picky', namespace: 'steps-rollback' };
    for (const [v, image] of [
      ['v1', 'stefanprodan/podinfo:6.0.1'],
      ['v2', 'stefanprodan/podinfo:6.0.2'],
      ['v3', 'stefanprodan/podinfo:6.0.3'],
    ] as const) {
      const r = await stack.client.publish({
        app: testApp({ ...ref, components: { web: image } }),
        publishVersion: v,
      });
      await stack.client.waitForRevision(ref, r.revision);
    }
    await expect(stack.client.rollback({ ...ref, to: 'picky-v9' })).rejects.toMatchObject({
      type: 'RevisionNotFound',
    });
    await expect(stack.client.rollback({ ...ref, to: 'picky-v3' })).rejects.toMatchObject({
      type: 'NoSucceededRevision',
    });
    const result = await stack.client.rollback({ ...ref, to: 'picky-v1' });
    expect(result).toMatchObject({ from: 'picky-v3', to: 'picky-v1' });
    expect(await deployed('steps-rollback', 'web')).toMatchObject({
      image: 'stefanprodan/podinfo:6.0.1',
      revision: 'picky-v1',
    });
    const revisions = await stack.client.listRevisions(ref);
    expect(revisions.map((r) => `${r.name}:${r.status}`)).toEqual([
      'picky-v1:Succeeded',
      'picky-v2:Succeeded',
      'picky-v3:RolledBack',
    ]);
    // The default target is the newest succeeded revision other than the current one.
    expect(await stack.client.rollback(ref)).toMatchObject({ from: 'picky-v1', to: 'picky-v2' });
  });

  it('the garbage-collect policy’s applicationRevisionLimit bounds retention; numbers still only go up', async () => {
    const ref = { name: 'few', namespace: 'steps-retention' };
    const policies = [{ name: 'gc', type: 'garbage-collect', properties: { applicationRevisionLimit: 2 } }];
    for (const v of ['v1', 'v2', 'v3', 'v4']) {
      const r = await stack.client.publish({
        app: testApp({ ...ref, components: { web: `stefanprodan/podinfo:${v}` }, policies }),
        publishVersion: v,
      });
      await stack.client.waitForRevision(ref, r.revision);
    }
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['few-v3', 'few-v4']);
    const audit = (await stack.client.status(ref)).app.audit
      .filter((a) => a.action === 'prune')
      .map((a) => a.message);
    expect(audit).toEqual(['pruned few-v2: more than 2 revisions', 'pruned few-v1: more than 2 revisions']);
  });
});
