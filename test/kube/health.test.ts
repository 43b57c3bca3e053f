import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { checkObjectHealth, deploymentRolloutStatus } from '../../kube/health.js';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { deployment, job, service } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/**
 * kube/ health against real Deployment and Job controllers: the messages `kubectl rollout status`
 * prints, a rollout that cannot progress, and Jobs. Pods on this cluster set are Ready about 0.1 s
 * after scheduling; images ending in `xxx` never pull.
 */

let fixture: KubeFixture;
let hangzhou: ClusterClient;

const ROLLED_OUT = (name: string) => `deployment "${name}" successfully rolled out`;
/** Every message `kubectl rollout status` prints for podinfo while a rollout is under way. */
const IN_PROGRESS = [
  /^Waiting for deployment spec update to be observed\.\.\.$/,
  /^Waiting for deployment "podinfo" rollout to finish: \d out of 3 new replicas have been updated\.\.\.$/,
  /^Waiting for deployment "podinfo" rollout to finish: \d old replicas are pending termination\.\.\.$/,
  /^Waiting for deployment "podinfo" rollout to finish: \d of 3 updated replicas are available\.\.\.$/,
];

beforeAll(async () => {
  fixture = await startKubeFixture({ requestTimeoutMs: 10_000 });
  hangzhou = fixture.registry.client('hangzhou1');
  await hangzhou.ensureNamespace('examples');
});

afterAll(async () => {
  await fixture?.stop();
});

describe('health', () => {
  it('a 3-replica Deployment goes from unhealthy, through kubectl rollout status messages, to healthy', async () => {
    const messages: string[] = [];
    const watch = await hangzhou.watch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'examples',
        fieldSelector: 'metadata.name=podinfo',
      },
      (e) => {
        if (e.type === 'ADDED' || e.type === 'MODIFIED')
          messages.push(deploymentRolloutStatus(e.object).message);
      },
    );
    try {
      const applied = await hangzhou.apply(deployment('podinfo', { namespace: 'examples', replicas: 3 }));
      expect(await checkObjectHealth(applied)).toEqual({
        healthy: false,
        message: 'Waiting for deployment spec update to be observed...',
      });
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'examples' };
      const done = await waitFor(
        'podinfo to be healthy',
        async () => checkObjectHealth(await hangzhou.read(ref)),
        (h) => h.healthy,
        { timeoutMs: 60_000 },
      );
      expect(done).toEqual({ healthy: true, message: ROLLED_OUT('podinfo') });
      await waitFor(
        'the last watch event',
        () => messages.at(-1),
        (m) => m === ROLLED_OUT('podinfo'),
      );
      // The controller writes status as it goes; the watch sees each write.
      expect(messages[0]).toBe('Waiting for deployment spec update to be observed...');
      const during = messages.slice(0, messages.indexOf(ROLLED_OUT('podinfo')));
      expect(during.length).toBeGreaterThan(1);
      for (const m of during)
        expect(
          IN_PROGRESS.some((p) => p.test(m)),
          m,
        ).toBe(true);
      const available = during
        .map((m) => /(\d) of 3 updated replicas are available/.exec(m)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
      expect(available).toEqual([...available].sort());

      // A new image replaces the old replicas (maxSurge 25%: one new pod at a time).
      messages.length = 0;
      await hangzhou.apply(
        deployment('podinfo', { namespace: 'examples', replicas: 3, image: 'stefanprodan/podinfo:6.6.0' }),
      );
      await waitFor(
        'the second rollout',
        () => messages.at(-1),
        (m) => m === ROLLED_OUT('podinfo'),
        { timeoutMs: 60_000 },
      );
      const second = messages.slice(0, -1);
      expect(second[0]).toBe('Waiting for deployment spec update to be observed...');
      for (const m of second)
        expect(
          IN_PROGRESS.some((p) => p.test(m)),
          m,
        ).toBe(true);
      expect(
        second.some((m) => /new replicas have been updated|old replicas are pending termination/.test(m)),
      ).toBe(true);
      const live = await fixture.clusters.deployment('hangzhou1', 'examples', 'podinfo');
      expect(live).toMatchObject({
        image: 'stefanprodan/podinfo:6.6.0',
        readyReplicas: 3,
        updatedReplicas: 3,
      });
    } finally {
      watch.stop();
    }
  });

  it('an image that cannot be pulled stays unhealthy and hits ProgressDeadlineExceeded', async () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'broken-image', namespace: 'examples' };
    await hangzhou.apply(
      deployment('broken-image', {
        namespace: 'examples',
        replicas: 3,
        image: 'stefanprodan/podinfo:6.5.xxx',
        progressDeadlineSeconds: 2,
      }),
    );
    const stuck = await waitFor(
      'the rollout to be observed',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.message.includes('updated replicas are available') || h.failed === true,
      { timeoutMs: 30_000 },
    );
    expect(stuck).toEqual({
      healthy: false,
      message:
        'Waiting for deployment "broken-image" rollout to finish: 0 of 3 updated replicas are available...',
    });
    const failed = await waitFor(
      'the progress deadline',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.failed === true,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(failed).toEqual({
      healthy: false,
      failed: true,
      message: 'deployment "broken-image" exceeded its progress deadline',
    });
    const live = await hangzhou.read(ref);
    const progressing = (
      live?.status as { conditions: { type: string; status: string; reason: string }[] }
    ).conditions.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    const pods = await fixture.clusters.list('hangzhou1', {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'examples',
      labelSelector: { 'app.oam.dev/component': 'broken-image' },
    });
    const waiting = pods.map(
      (p) =>
        (p.status as { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] })
          .containerStatuses?.[0]?.state?.waiting?.reason,
    );
    expect(waiting).toEqual(['ImagePullBackOff', 'ImagePullBackOff', 'ImagePullBackOff']);

    // Fixing the image starts a new rollout that completes.
    await hangzhou.apply(
      deployment('broken-image', {
        namespace: 'examples',
        replicas: 3,
        image: 'stefanprodan/podinfo:6.5.0',
        progressDeadlineSeconds: 60,
      }),
    );
    await waitFor(
      'the fixed rollout',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.healthy,
      { timeoutMs: 60_000 },
    );
  });

  it('a Job is healthy once complete; other kinds by the evaluator, or by existing', async () => {
    await hangzhou.apply(job('migrate', { namespace: 'examples' }));
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'examples' };
    const done = await waitFor(
      'the Job to complete',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.healthy,
      { timeoutMs: 60_000 },
    );
    expect(done.message).toBe('job "migrate" completed (1/1)');

    const svc = await hangzhou.apply(service('podinfo', { namespace: 'examples' }));
    expect(await checkObjectHealth(svc)).toEqual({ healthy: true, message: 'Service/podinfo exists' });
    expect(
      await checkObjectHealth(svc, (o) =>
        Promise.resolve({ healthy: false, message: `no endpoints for ${o.metadata.name}` }),
      ),
    ).toEqual({
      healthy: false,
      message: 'no endpoints for podinfo',
    });
    expect(await checkObjectHealth(undefined)).toEqual({ healthy: false, message: 'not found' });
  });
});
