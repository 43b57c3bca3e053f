import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_SETTINGS } from '../../model/engine-settings.js';
import { testApp } from '../harness/apps.js';
import type { HeldRequests } from '../harness/fault-proxy.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

/**
 * Issue 16, findings 1 and 2 (and the acceptance scenarios): a write of an older revision held in
 * flight to a slow cluster must never land after a rollback or a newer revision has written. The
 * fault proxy holds the write before the apiserver; the test lets the newer writer through, then
 * releases the old write and reads what the cluster holds.
 */

const BOTH = [{ name: 'both', type: 'topology', properties: { clusters: ['hangzhou1', 'hangzhou2'] } }];
const NS = 'default';

/** One webservice `<app>-web`: applications of one namespace must not share objects (ownership). */
function app(name: string, image: string, publishVersion: string) {
  return testApp({
    name,
    namespace: NS,
    components: { [`${name}-web`]: image },
    policies: BOTH,
    publishVersion,
  });
}

describe('fencing: a superseded revision never writes after its successor', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The engine's own timeouts, in their fencing order (request < heartbeat < supersede wait).
    stack = await startTestStack({
      engine: {
        heartbeatTimeoutMs: DEFAULT_ENGINE_SETTINGS.heartbeatTimeoutMs,
        supersedeTimeoutMs: DEFAULT_ENGINE_SETTINGS.supersedeTimeoutMs,
      },
    });
  });
  afterEach(async () => {
    await stack.clusters.clearFaults();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Holds the applies of Deployment `<app>-web` to hangzhou2 before they reach its apiserver. */
  function holdWrites(app: string): HeldRequests {
    return stack.clusters.faults('hangzhou2').hold({ verbs: ['patch'], path: `/deployments/${app}-web` });
  }

  /** The held write whose body carries `image` (state keep may re-apply the current revision meanwhile). */
  async function heldWriteOf(held: HeldRequests, image: string) {
    for (let nth = 1; nth <= 10; nth++) {
      const write = await held.waitForRequest(60_000, nth);
      if (write.body.includes(image)) return write;
    }
    throw new Error(`no held write carries ${image}`);
  }

  /** Releases the held write and waits for the apiserver's answer to it. */
  async function releaseAndAnswer(held: HeldRequests): Promise<number | undefined> {
    const proxy = stack.clusters.faults('hangzhou2');
    const heldAt = held.requests.find((r) => r.body.includes('nginx:2.0'))?.timestamp;
    held.release();
    const answered = await eventually(
      'the apiserver to answer the released write',
      () => {
        const entry = proxy.requests.find((r) => r.held && r.timestamp === heldAt);
        return entry?.status !== undefined ? entry : undefined;
      },
      { timeoutMs: 30_000 },
    );
    return answered.status;
  }

  it('a rollback while revision 2 is held writing to hangzhou2: after the release both clusters run revision 1 and the late write is refused (finding 1, acceptance)', async () => {
    const ref = { name: 'fence-rollback', namespace: NS };
    await stack.client.apply([app(ref.name, 'nginx:1.0', 'v1')]);
    await stack.client.waitForRevision(ref, 'fence-rollback-v1', { until: ['Succeeded'], timeoutMs: 90_000 });

    const held = holdWrites(ref.name);
    await stack.client.apply([app(ref.name, 'nginx:2.0', 'v2')]);
    await heldWriteOf(held, 'nginx:2.0');
    held.stopCatching();

    const rollback = await stack.client.rollback({ ...ref, to: 'fence-rollback-v1' });
    expect(rollback).toMatchObject({ from: 'fence-rollback-v2', to: 'fence-rollback-v1', dryRun: false });

    // 409: the held write was pinned to the resourceVersion revision 2 read; the rollback changed it.
    expect(await releaseAndAnswer(held)).toBe(409);
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      const web = await stack.clusters.deployment(cluster, NS, `${ref.name}-web`);
      expect({ cluster, image: web?.image, revision: web?.revision }).toEqual({
        cluster,
        image: 'nginx:1.0',
        revision: 'fence-rollback-v1',
      });
    }
    const revisions = await stack.client.listRevisions(ref);
    expect(revisions.find((r) => r.name === 'fence-rollback-v2')?.status).toBe('RolledBack');
  });

  it('a publish that supersedes revision 2 mid-apply: after the release hangzhou2 runs revision 3 and the late write is refused (finding 2, acceptance)', async () => {
    const ref = { name: 'fence-publish', namespace: NS };
    await stack.client.apply([app(ref.name, 'nginx:1.0', 'v1')]);
    await stack.client.waitForRevision(ref, 'fence-publish-v1', { until: ['Succeeded'], timeoutMs: 90_000 });

    const held = holdWrites(ref.name);
    await stack.client.apply([app(ref.name, 'nginx:2.0', 'v2')]);
    await heldWriteOf(held, 'nginx:2.0');
    held.stopCatching();

    await stack.client.apply([app(ref.name, 'nginx:3.0', 'v3')]);
    await stack.client.waitForRevision(ref, 'fence-publish-v3', { until: ['Succeeded'], timeoutMs: 120_000 });

    expect(await releaseAndAnswer(held)).toBe(409);
    const web = await stack.clusters.deployment('hangzhou2', NS, `${ref.name}-web`);
    expect({ image: web?.image, revision: web?.revision }).toEqual({
      image: 'nginx:3.0',
      revision: 'fence-publish-v3',
    });
    const v2 = (await stack.client.listRevisions(ref)).find((r) => r.name === 'fence-publish-v2');
    expect(v2?.status).toBe('Terminated');
  });

  it('finding 9: garbage collection cancelled part way does not count as done: the revision ends Terminated and the next one collects what is left', async () => {
    const ref = { name: 'fence-gc', namespace: NS };
    const two = (image: string, pv: string) =>
      testApp({
        name: ref.name,
        namespace: NS,
        components: { [`${ref.name}-web`]: image, [`${ref.name}-extra`]: image },
        policies: BOTH,
        publishVersion: pv,
      });
    await stack.client.apply([two('nginx:1.0', 'v1')]);
    await stack.client.waitForRevision(ref, 'fence-gc-v1', { until: ['Succeeded'], timeoutMs: 90_000 });

    const held = stack.clusters
      .faults('hangzhou2')
      .hold({ verbs: ['delete'], path: `/deployments/${ref.name}-extra` });
    await stack.client.apply([app(ref.name, 'nginx:2.0', 'v2')]);
    await held.waitForRequest(90_000);
    held.stopCatching();
    await stack.client.apply([app(ref.name, 'nginx:3.0', 'v3')]);
    await stack.client.waitForRevision(ref, 'fence-gc-v3', { until: ['Succeeded'], timeoutMs: 120_000 });
    held.release();

    const revisions = await stack.client.listRevisions(ref);
    expect(revisions.find((r) => r.name === 'fence-gc-v2')?.status).toBe('Terminated');
    const { app: entity } = await stack.client.status(ref);
    expect(entity.inventory.filter((e) => e.name === `${ref.name}-extra`)).toEqual([]);
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      expect(await stack.clusters.deployment(cluster, NS, `${ref.name}-extra`)).toBeUndefined();
    }
  });
});
