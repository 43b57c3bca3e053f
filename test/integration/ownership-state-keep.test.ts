import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { stateKeepWorkflowId } from '../../model/ids.js';
import { testApp } from '../harness/apps.js';
import { eventually, FAST_ENGINE, startTestStack, type TestStack } from '../harness/stack.js';

const run = promisify(execFile);
const IMAGE = 'stefanprodan/podinfo:6.0.1';
const IMAGE_2 = 'stefanprodan/podinfo:6.0.2';
const PERIOD_MS = 2000;
/** Long enough for a second publish to succeed inside it on a loaded machine. */
const SETTLE_MS = 15_000;

/** State keep and live status after `kubectl delete` and `kubectl scale`, on real clusters. */
describe('state keep', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ engine: { ...FAST_ENGINE, stateKeepIntervalMs: PERIOD_MS } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const kubectl = (...args: string[]) =>
    run(stack.clusters.kubectl, ['--context', 'local', ...args], { env: stack.clusters.kubectlEnv() });
  const deployment = (ns: string, name: string) => stack.clusters.deployment('local', ns, name);

  async function deploy(app: Application, version: string): Promise<void> {
    const ref = { name: app.metadata.name, namespace: app.metadata.namespace };
    const published = await stack.client.publish({ app, publishVersion: version });
    expect((await stack.client.waitForRevision(ref, published.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
  }

  it('after kubectl delete, status says not deployed within seconds and state keep restores it within its period', async () => {
    const ref = { name: 'shop', namespace: 'keep-delete' };
    await deploy(testApp({ ...ref, components: { api: IMAGE, extra: IMAGE } }), 'v1');
    const before = await deployment(ref.namespace, 'extra');
    await kubectl('-n', ref.namespace, 'delete', 'deployment', 'extra', '--wait=false');

    const missing = await eventually(
      'status to say extra is not deployed',
      async () => {
        const s = await stack.client.status(ref);
        const extra = s.services.find((x) => x.component === 'extra');
        return extra && !extra.healthy && extra.message === 'not deployed' ? s : undefined;
      },
      { timeoutMs: 5000 },
    );
    expect(missing.app.phase).toBe('unhealthy');
    expect(missing.healthSource?.kind).toBe('live');

    const restored = await eventually(
      'state keep to put extra back',
      async () => {
        const d = await deployment(ref.namespace, 'extra');
        return d && d.uid !== before?.uid ? d : undefined;
      },
      { timeoutMs: PERIOD_MS * 5 },
    );
    expect(restored.image).toBe(IMAGE);
    const audit = await eventually('the audit log to say so', async () => {
      const s = await stack.client.status(ref);
      return s.app.audit.find((a) => a.action === 'state-keep');
    });
    expect(audit.message).toContain('Deployment/extra on local');
  });

  it('puts back replicas changed by kubectl scale, but leaves them under apply-once', async () => {
    const scaled = (name: string, namespace: string, policies: Application['spec']['policies']) => {
      const app = testApp({ name, namespace, components: { api: IMAGE }, policies });
      app.spec.components[0]!.traits = [{ type: 'scaler', properties: { replicas: 1 } }];
      return app;
    };
    // Without apply-once: state keep takes replicas back.
    await deploy(scaled('plain', 'keep-scale', []), 'v1');
    await kubectl('-n', 'keep-scale', 'scale', 'deployment/api', '--replicas=3');
    await eventually(
      'state keep to scale api back to 1',
      async () => ((await deployment('keep-scale', 'api'))?.replicas === 1 ? true : undefined),
      { timeoutMs: PERIOD_MS * 5 },
    );

    // With apply-once on spec.replicas: it stays scaled through state keep and a new revision.
    const once = [
      {
        name: 'once',
        type: 'apply-once',
        properties: {
          enable: true,
          rules: [{ selector: { componentNames: ['api'] }, strategy: { path: ['spec.replicas'] } }],
        },
      },
    ];
    await deploy(scaled('kept', 'keep-once', once), 'v1');
    await kubectl('-n', 'keep-once', 'scale', 'deployment/api', '--replicas=3');
    const ref = { name: 'kept', namespace: 'keep-once' };
    const checkedAfter = new Date().toISOString();
    await eventually(
      'a state-keep check after the scale',
      async () => {
        const last = (await stack.client.status(ref)).stateKeep?.last;
        return last && last.checkedAt > checkedAfter ? last : undefined;
      },
      { timeoutMs: PERIOD_MS * 5 },
    );
    expect((await deployment('keep-once', 'api'))?.replicas).toBe(3);
    const v2 = scaled('kept', 'keep-once', once);
    v2.spec.components[0]!.properties = { image: IMAGE_2 };
    await deploy(v2, 'v2');
    const api = await deployment('keep-once', 'api');
    expect(api?.image).toBe(IMAGE_2);
    expect(api?.replicas).toBe(3);
  });
  it('while a rollback writes, state keep of the revision it replaces restores nothing over it', async () => {
    const ref = { name: 'undo', namespace: 'keep-rollback' };
    await deploy(testApp({ ...ref, components: { a: IMAGE, b: IMAGE } }), 'v1');
    await deploy(testApp({ ...ref, components: { a: IMAGE_2, b: IMAGE_2 } }), 'v2');
    // The rollback's real write of b waits (state keep's dry runs pass): it has written a, is
    // not done, and undo-v2 is still the current revision, Succeeded, which state keep keeps.
    const held = stack.clusters
      .faults('local')
      .hold({ verbs: ['patch'], path: /\/deployments\/b\?(?!.*dryRun)/ });
    try {
      const rolling = stack.client.rollback({ ...ref, to: 'undo-v1' });
      await held.waitForRequest(30_000);
      expect((await deployment(ref.namespace, 'a'))?.image).toBe(IMAGE);
      const heldSince = new Date().toISOString();
      const check = await eventually(
        'a state-keep check of undo-v2 during the rollback that finds a drifted',
        async () => {
          const last = (await stack.client.status(ref)).stateKeep?.last;
          const repair = last?.repairs.find((r) => r.object === 'Deployment/a');
          return last && last.checkedAt > heldSince && repair ? { last, repair } : undefined;
        },
        { timeoutMs: PERIOD_MS * 10 },
      );
      expect(check.last.revision).toBe('undo-v2');
      expect(check.repair.restored).toBe(false);
      expect(check.repair.error).toMatch(/written by a later run/);
      expect((await deployment(ref.namespace, 'a'))?.image).toBe(IMAGE);
      held.release();
      await expect(rolling).resolves.toMatchObject({ from: 'undo-v2', to: 'undo-v1' });
    } finally {
      held.release();
    }
    expect((await deployment(ref.namespace, 'a'))?.image).toBe(IMAGE);
    expect((await deployment(ref.namespace, 'b'))?.image).toBe(IMAGE);
  });

  it('two successes inside the settle period cost one check, of the newer revision', async () => {
    const client = await stack.clientWith({ stateKeepIntervalMs: 3_600_000, stateKeepSettleMs: SETTLE_MS });
    try {
      const ref = { name: 'burst', namespace: 'keep-burst' };
      const first = await client.publish({
        app: testApp({ ...ref, components: { api: IMAGE } }),
        publishVersion: 'v1',
      });
      expect((await client.waitForRevision(ref, first.revision, { timeoutMs: 60_000 })).status).toBe(
        'Succeeded',
      );
      const firstDone = Date.now();
      const second = await client.publish({
        app: testApp({ ...ref, components: { api: IMAGE_2 } }),
        publishVersion: 'v2',
      });
      expect((await client.waitForRevision(ref, second.revision, { timeoutMs: 60_000 })).status).toBe(
        'Succeeded',
      );
      const between = Date.now() - firstDone;
      if (between >= SETTLE_MS)
        throw new Error(`v2 took ${between} ms to succeed: the machine is too slow for this test`);
      expect(
        (await client.status(ref)).stateKeep?.last,
        'no check before the settle period ended',
      ).toBeUndefined();

      const last = await eventually(
        'the first state-keep check',
        async () => (await client.status(ref)).stateKeep?.last,
        {
          timeoutMs: SETTLE_MS + 30_000,
        },
      );
      expect(last.revision).toBe(second.revision);
      expect(last.repairs).toEqual([]);
      const keeper = stack.temporal.workflow.getHandle(stateKeepWorkflowId(ref.namespace, ref.name));
      const checks = ((await keeper.fetchHistory()).events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'stateKeepCheck',
      );
      expect(checks).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
  it('a settle period longer than the interval delays the first check by one interval only', async () => {
    const client = await stack.clientWith({ stateKeepIntervalMs: PERIOD_MS, stateKeepSettleMs: 3_600_000 });
    try {
      const ref = { name: 'capped', namespace: 'keep-capped' };
      const v1 = await client.publish({
        app: testApp({ ...ref, components: { api: IMAGE } }),
        publishVersion: 'v1',
      });
      expect((await client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
        'Succeeded',
      );
      const last = await eventually(
        'the first state-keep check',
        async () => (await client.status(ref)).stateKeep?.last,
        {
          timeoutMs: PERIOD_MS * 10,
        },
      );
      expect(last.revision).toBe(v1.revision);
    } finally {
      await client.close();
    }
  });
});
