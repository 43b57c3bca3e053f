import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../cluster-sim/simulator.js';
import type { ClusterClient, WatchEvent } from '../../kube/cluster-client.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { KubeApiError } from '../../kube/errors.js';
import { checkObjectHealth, deploymentRolloutStatus } from '../../kube/health.js';
import type { KubeObject } from '../../model/kube-object.js';
import { configMap, deployment, job, service } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/**
 * Drives kube/ against the simulator the way the engine uses it: apply, read, list, delete,
 * watch, health and error classification under injected faults.
 */

const ROLLOUT_MS = 150;

let sim: Simulator;
let dir: string;
let registry: ClusterRegistry;
let local: ClusterClient;
let hangzhou: ClusterClient;

async function failure(promise: Promise<unknown>): Promise<KubeApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(KubeApiError);
    return err as KubeApiError;
  }
  throw new Error('expected the call to fail');
}

function managers(object: KubeObject): string[] {
  const entries = object.metadata.managedFields as { manager: string; operation: string }[] | undefined;
  return (entries ?? []).map((e) => `${e.manager}/${e.operation}`).sort();
}

beforeAll(async () => {
  sim = await startSimulator({
    clusters: [{ name: 'local' }, { name: 'hangzhou1', labels: { region: 'hangzhou' } }],
    rolloutDurationMs: ROLLOUT_MS,
  });
  dir = await mkdtemp(join(tmpdir(), 'revela-conformance-'));
  const files = await sim.writeFiles(dir);
  registry = await ClusterRegistry.load({
    kubeconfigPath: files.kubeconfigPath,
    clustersPath: files.clustersPath,
    requestTimeoutMs: 2_000,
  });
  local = registry.client('local');
  hangzhou = registry.client('hangzhou1');
  await local.ensureNamespace('examples');
  await hangzhou.ensureNamespace('examples');
});

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach(() => sim.clearFaults());

describe('server-side apply', () => {
  it('creates an object and returns what the server stored, owned by field manager revela', async () => {
    const stored = await local.apply(configMap('settings', { color: 'blue' }, { namespace: 'examples' }));
    expect(stored.metadata.uid).toEqual(expect.any(String));
    expect(stored.metadata.resourceVersion).toEqual(expect.any(String));
    expect(stored.data).toEqual({ color: 'blue' });
    expect(managers(stored)).toEqual(['revela/Apply']);
  });

  it('updates in place: a spec change moves generation and resourceVersion on, labels merge', async () => {
    const first = await local.apply(
      deployment('web', { namespace: 'examples', replicas: 1, labels: { tier: 'front' } }),
    );
    const second = await local.apply(
      deployment('web', { namespace: 'examples', replicas: 2, labels: { tier: 'front', team: 'a' } }),
    );
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect(second.metadata.generation).toBe(Number(first.metadata.generation) + 1);
    expect(Number(second.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(second.metadata.labels).toEqual({ tier: 'front', team: 'a' });
    expect((second.spec as { replicas: number }).replicas).toBe(2);
  });

  it('re-applying the same configuration changes nothing: same resourceVersion', async () => {
    const first = await local.apply(configMap('stable', { a: '1' }, { namespace: 'examples' }));
    const again = await local.apply(configMap('stable', { a: '1' }, { namespace: 'examples' }));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('removes a field revela applied before and no longer applies', async () => {
    await local.apply(configMap('shrinking', { a: '1', b: '2' }, { namespace: 'examples' }));
    const after = await local.apply(configMap('shrinking', { a: '1' }, { namespace: 'examples' }));
    expect(after.data).toEqual({ a: '1' });
  });

  it('reports a conflict with another manager as a permanent 409 naming the field and the manager', async () => {
    // Someone scaled the Deployment with their own apply (say, an operator running kubectl).
    await local.apply(deployment('scaled', { namespace: 'examples', replicas: 5 }), {
      fieldManager: 'ops-team',
    });
    const err = await failure(local.apply(deployment('scaled', { namespace: 'examples', replicas: 3 })));
    expect(err.type).toBe('KubePermanent');
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe(
      'local: apply Deployment/scaled: Apply failed with 1 conflict: conflict with "ops-team" using apps/v1: .spec.replicas (HTTP 409 Conflict)',
    );
    expect(err.causes).toEqual([
      {
        type: 'FieldManagerConflict',
        message: 'conflict with "ops-team" using apps/v1',
        field: '.spec.replicas',
      },
    ]);
  });

  it('takes the conflicting field over with force', async () => {
    const forced = await local.apply(deployment('scaled', { namespace: 'examples', replicas: 3 }), {
      force: true,
    });
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    const revela = (
      forced.metadata.managedFields as { manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[]
    ).find((e) => e.manager === 'revela');
    const ops = (
      forced.metadata.managedFields as { manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[]
    ).find((e) => e.manager === 'ops-team');
    expect(revela?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(ops?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });

  it('a dry run answers with the defaulted object and stores nothing', async () => {
    const answer = await local.apply(deployment('dry', { namespace: 'examples' }), { dryRun: true });
    expect((answer.spec as { progressDeadlineSeconds: number }).progressDeadlineSeconds).toBe(600);
    expect(
      await local.read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'dry', namespace: 'examples' }),
    ).toBeUndefined();
  });

  it('an invalid object is a permanent 422 naming the field', async () => {
    const broken = deployment('broken', { namespace: 'examples' });
    (broken.spec as Record<string, unknown>).selector = { matchLabels: { app: 'other' } };
    const err = await failure(local.apply(broken));
    expect(err).toMatchObject({ type: 'KubePermanent', status: 422, reason: 'Invalid' });
    expect(err.message).toContain('spec.template.metadata.labels');
  });

  it('applying into a missing namespace is a permanent 404 naming the namespace, until ensureNamespace creates it', async () => {
    const err = await failure(hangzhou.apply(service('podinfo', { namespace: 'not-yet' })));
    expect(err).toMatchObject({ type: 'KubePermanent', status: 404, reason: 'NotFound' });
    expect(err.message).toBe(
      'hangzhou1: apply Service/podinfo: namespaces "not-yet" not found (HTTP 404 NotFound)',
    );
    await hangzhou.ensureNamespace('not-yet');
    await hangzhou.ensureNamespace('not-yet');
    const svc = await hangzhou.apply(service('podinfo', { namespace: 'not-yet' }));
    expect((svc.spec as { clusterIP: string }).clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('does not change the object it was given', async () => {
    const object = configMap('untouched', { a: '1' });
    delete object.metadata.namespace;
    const before = structuredClone(object);
    await local.apply(object);
    expect(object).toEqual(before);
  });
});

describe('read, list and delete', () => {
  it('reads an object, and undefined once it is gone', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'short-lived', namespace: 'examples' };
    await local.apply(configMap('short-lived', { a: '1' }, { namespace: 'examples' }));
    expect((await local.read(ref))?.data).toEqual({ a: '1' });
    expect(await local.delete(ref)).toBe(true);
    expect(await local.read(ref)).toBeUndefined();
    expect(await local.delete(ref)).toBe(false);
  });

  it('reads cluster-scoped objects', async () => {
    const ns = await local.read({ apiVersion: 'v1', kind: 'Namespace', name: 'examples' });
    expect(ns?.status).toEqual({ phase: 'Active' });
  });

  it('an unknown kind is a permanent error, for reads as for applies', async () => {
    const err = await failure(
      local.read({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', namespace: 'examples' }),
    );
    expect(err).toMatchObject({ type: 'KubePermanent', status: 404 });
    expect(err.message).toBe(
      'local: read Widget/w: the server has no resource type "Widget" in example.com/v1 (HTTP 404 NotFound)',
    );
  });

  it('lists by label across namespaces, returning complete objects', async () => {
    await local.ensureNamespace('team-a');
    await local.ensureNamespace('team-b');
    const labels = { 'app.oam.dev/name': 'podinfo' };
    await local.apply(configMap('one', { n: '1' }, { namespace: 'team-a', labels }));
    await local.apply(configMap('two', { n: '2' }, { namespace: 'team-b', labels }));
    await local.apply(
      configMap('other', { n: '3' }, { namespace: 'team-b', labels: { 'app.oam.dev/name': 'other' } }),
    );

    const everywhere = await local.list({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: labels });
    expect(everywhere.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'team-a/one',
      'team-b/two',
    ]);
    expect(everywhere.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap')).toBe(true);

    const oneNamespace = await local.list({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'team-b',
      labelSelector: 'app.oam.dev/name in (podinfo,other)',
    });
    expect(oneNamespace.map((o) => o.metadata.name)).toEqual(['other', 'two']);
    const notPodinfo = await local.list({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      labelSelector: 'app.oam.dev/name,app.oam.dev/name!=podinfo',
    });
    expect(notPodinfo.map((o) => o.metadata.name)).toEqual(['other']);
  });

  it('follows list pages', async () => {
    await local.ensureNamespace('many');
    for (let i = 0; i < 520; i++)
      await local.apply(
        configMap(`cm-${String(i).padStart(3, '0')}`, { i: String(i) }, { namespace: 'many' }),
      );
    const all = await local.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'many' });
    expect(all).toHaveLength(520);
    expect(new Set(all.map((o) => o.metadata.name)).size).toBe(520);
  });

  it('deleting a namespace deletes what is in it', async () => {
    await local.ensureNamespace('doomed');
    await local.apply(configMap('inside', { a: '1' }, { namespace: 'doomed' }));
    expect(
      await local.delete(
        { apiVersion: 'v1', kind: 'Namespace', name: 'doomed' },
        { propagationPolicy: 'Foreground' },
      ),
    ).toBe(true);
    expect(sim.objects('local').filter((o) => o.metadata.namespace === 'doomed')).toEqual([]);
    // With the namespace gone, reading an object in it is simply "not found".
    expect(
      await local.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'inside', namespace: 'doomed' }),
    ).toBeUndefined();
  });
});

describe('watch', () => {
  it('delivers ADDED, MODIFIED and DELETED for matching objects, in order', async () => {
    await hangzhou.ensureNamespace('watched');
    const events: WatchEvent[] = [];
    const watch = await hangzhou.watch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'watched', labelSelector: { watched: 'yes' } },
      (e) => events.push(e),
    );
    try {
      await hangzhou.apply(configMap('w', { v: '1' }, { namespace: 'watched', labels: { watched: 'yes' } }));
      await hangzhou.apply(configMap('ignored', { v: '1' }, { namespace: 'watched' }));
      await hangzhou.apply(configMap('w', { v: '2' }, { namespace: 'watched', labels: { watched: 'yes' } }));
      await hangzhou.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'w', namespace: 'watched' });
      await waitFor(
        'three watch events',
        () => events.length,
        (n) => n >= 3,
      );
      expect(
        events.map((e) => `${e.type} ${e.object.metadata.name} ${JSON.stringify(e.object.data)}`),
      ).toEqual(['ADDED w {"v":"1"}', 'MODIFIED w {"v":"2"}', 'DELETED w {"v":"2"}']);
    } finally {
      watch.stop();
      await watch.done;
    }
  });

  it('replays what happened after a resourceVersion', async () => {
    await hangzhou.ensureNamespace('replay');
    await hangzhou.apply(configMap('r', { v: '1' }, { namespace: 'replay' }));
    const listed = await hangzhou.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'r',
      namespace: 'replay',
    });
    await hangzhou.apply(configMap('r', { v: '2' }, { namespace: 'replay' }));
    await hangzhou.apply(configMap('r', { v: '3' }, { namespace: 'replay' }));
    const events: WatchEvent[] = [];
    const watch = await hangzhou.watch(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'replay',
        resourceVersion: String(listed?.metadata.resourceVersion),
      },
      (e) => events.push(e),
    );
    try {
      await waitFor(
        'two replayed events',
        () => events.length,
        (n) => n >= 2,
      );
      expect(events.map((e) => `${e.type} ${JSON.stringify(e.object.data)}`)).toEqual([
        'MODIFIED {"v":"2"}',
        'MODIFIED {"v":"3"}',
      ]);
    } finally {
      watch.stop();
    }
  });

  it('ends when its cluster drops off the network, and cannot start again until the cluster is back', async () => {
    const watch = await hangzhou.watch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'replay' },
      () => undefined,
    );
    sim.setFaults('hangzhou1', { partitioned: true });
    const outcome = await watch.done.then(
      () => 'ended',
      (err: KubeApiError) => (err.retryable ? 'ended' : `failed permanently: ${err.message}`),
    );
    expect(outcome).toBe('ended');
    const err = await failure(hangzhou.watch({ apiVersion: 'v1', kind: 'ConfigMap' }, () => undefined));
    expect(err).toMatchObject({ type: 'KubeRetryable', code: 'ECONNREFUSED', verb: 'watch' });
    sim.clearFaults('hangzhou1');
    const healed = await hangzhou.watch({ apiVersion: 'v1', kind: 'ConfigMap' }, () => undefined);
    healed.stop();
    await healed.done;
  });
});

describe('health', () => {
  it('a 3-replica Deployment goes from unhealthy, replica by replica, to healthy', async () => {
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
      const first = await checkObjectHealth(applied);
      expect(first).toEqual({
        healthy: false,
        message: 'Waiting for deployment spec update to be observed...',
      });
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'examples' };
      const done = await waitFor(
        'podinfo to be healthy',
        async () => checkObjectHealth(await hangzhou.read(ref)),
        (h) => h.healthy,
      );
      expect(done).toEqual({ healthy: true, message: 'deployment "podinfo" successfully rolled out' });
      await waitFor(
        'the last watch event',
        () => messages.at(-1),
        (m) => m === 'deployment "podinfo" successfully rolled out',
      );
      expect(messages).toEqual([
        'Waiting for deployment spec update to be observed...',
        'Waiting for deployment "podinfo" rollout to finish: 0 of 3 updated replicas are available...',
        'Waiting for deployment "podinfo" rollout to finish: 1 of 3 updated replicas are available...',
        'Waiting for deployment "podinfo" rollout to finish: 2 of 3 updated replicas are available...',
        'deployment "podinfo" successfully rolled out',
      ]);

      // A new image replaces the old replicas one by one.
      messages.length = 0;
      await hangzhou.apply(
        deployment('podinfo', { namespace: 'examples', replicas: 3, image: 'stefanprodan/podinfo:6.6.0' }),
      );
      await waitFor(
        'the second rollout',
        () => messages.at(-1),
        (m) => m === 'deployment "podinfo" successfully rolled out',
      );
      expect(messages).toEqual([
        'Waiting for deployment spec update to be observed...',
        'Waiting for deployment "podinfo" rollout to finish: 3 old replicas are pending termination...',
        'Waiting for deployment "podinfo" rollout to finish: 2 old replicas are pending termination...',
        'Waiting for deployment "podinfo" rollout to finish: 1 old replicas are pending termination...',
        'deployment "podinfo" successfully rolled out',
      ]);
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
        progressDeadlineSeconds: 1,
      }),
    );
    const stuck = await waitFor(
      'the rollout to be observed',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.message.includes('updated replicas are available'),
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
      { timeoutMs: 5_000 },
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

    // Fixing the image starts a new rollout that completes.
    await hangzhou.apply(
      deployment('broken-image', {
        namespace: 'examples',
        replicas: 3,
        image: 'stefanprodan/podinfo:6.5.0',
        progressDeadlineSeconds: 1,
      }),
    );
    await waitFor(
      'the fixed rollout',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.healthy,
    );
  });

  it('a Job is healthy once complete; other kinds by the evaluator, or by existing', async () => {
    await hangzhou.apply(job('migrate', { namespace: 'examples' }));
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'examples' };
    const done = await waitFor(
      'the Job to complete',
      async () => checkObjectHealth(await hangzhou.read(ref)),
      (h) => h.healthy,
    );
    expect(done.message).toBe('job "migrate" completed (1/1)');

    const svc = await hangzhou.read({
      apiVersion: 'v1',
      kind: 'Service',
      name: 'podinfo',
      namespace: 'not-yet',
    });
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

describe('errors under injected faults', () => {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'examples' };

  it.each([
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout'],
  ])('HTTP %i is retryable', async (status, reason) => {
    sim.setFaults('local', { status, verbs: ['patch'] });
    const err = await failure(
      local.apply(configMap('settings', { color: 'red' }, { namespace: 'examples' })),
    );
    expect(err).toMatchObject({
      type: 'KubeRetryable',
      retryable: true,
      status,
      reason,
      cluster: 'local',
      verb: 'apply',
      object: 'ConfigMap/settings',
    });
    expect(err.message).toBe(
      `local: apply ConfigMap/settings: injected fault: patch configmaps failed with ${status} (HTTP ${status} ${reason})`,
    );
  });

  it('429 is retryable after the Retry-After the server asked for', async () => {
    sim.setFaults('local', { status: 429, retryAfterSeconds: 3, verbs: ['get'] });
    const err = await failure(local.read(ref));
    expect(err).toMatchObject({
      type: 'KubeRetryable',
      status: 429,
      reason: 'TooManyRequests',
      retryAfterMs: 3_000,
    });
  });

  it('503 with Retry-After carries the delay too', async () => {
    sim.setFaults('local', { status: 503, retryAfterSeconds: 1 });
    const err = await failure(local.list({ apiVersion: 'v1', kind: 'ConfigMap' }));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
  });

  it('a partitioned cluster refuses connections: retryable ECONNREFUSED, and works again once healed', async () => {
    sim.setFaults('local', { partitioned: true });
    const err = await failure(local.read(ref));
    expect(err).toMatchObject({ type: 'KubeRetryable', retryable: true, code: 'ECONNREFUSED' });
    expect(err.status).toBeUndefined();
    expect(err.message).toBe(
      `local: read ConfigMap/settings: connection refused (${registry.server('local')}) (ECONNREFUSED)`,
    );
    sim.clearFaults('local');
    expect((await local.read(ref))?.metadata.name).toBe('settings');
  });

  it('a request slower than the timeout is a retryable ETIMEDOUT', async () => {
    const impatient = (
      await ClusterRegistry.load({ kubeconfigText: sim.kubeconfigText(), requestTimeoutMs: 300 })
    ).client('local');
    await impatient.read(ref); // discovery, before the latency starts
    sim.setFaults('local', { latencyMs: 5_000, verbs: ['get'] });
    const started = Date.now();
    const err = await failure(impatient.read(ref));
    expect(err).toMatchObject({ type: 'KubeRetryable', code: 'ETIMEDOUT' });
    expect(err.message).toBe(
      'local: read ConfigMap/settings: timed out (' + registry.server('local') + ') (ETIMEDOUT)',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a cancelled call stops at once and is retryable', async () => {
    sim.setFaults('local', { latencyMs: 5_000, verbs: ['patch'] });
    const controller = new AbortController();
    const pending = local.apply(configMap('settings', { color: 'green' }, { namespace: 'examples' }), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect(err).toMatchObject({ retryable: true, code: 'ABORT_ERR' });
  });

  it.each([
    [400, 'BadRequest'],
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [422, 'Invalid'],
  ])('HTTP %i is permanent', async (status, reason) => {
    sim.setFaults('local', { status, verbs: ['patch'] });
    const err = await failure(
      local.apply(configMap('settings', { color: 'red' }, { namespace: 'examples' })),
    );
    expect(err).toMatchObject({ type: 'KubePermanent', retryable: false, status, reason });
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('faults stay on their cluster and their verbs', async () => {
    sim.setFaults('local', { status: 500, verbs: ['delete'] });
    await expect(local.read(ref)).resolves.toBeDefined();
    await expect(hangzhou.list({ apiVersion: 'v1', kind: 'ConfigMap' })).resolves.toBeDefined();
    await expect(failure(local.delete({ ...ref, name: 'nothing-here' }))).resolves.toMatchObject({
      status: 500,
    });
  });

  it('every-Nth faults fail exactly the Nth requests', async () => {
    sim.setFaults('local', { status: 500, everyNth: 3, verbs: ['get'] });
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++)
      outcomes.push(
        await local.read(ref).then(
          () => 'ok',
          () => 'fail',
        ),
      );
    expect(outcomes).toEqual(['ok', 'ok', 'fail', 'ok', 'ok', 'fail', 'ok']);
  });

  it('a seeded error rate fails the same requests on every run', async () => {
    const run = async () => {
      sim.setFaults('local', { status: 503, errorRate: 0.5, seed: 42, verbs: ['get'] });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(
          await local.read(ref).then(
            () => 'ok',
            () => 'fail',
          ),
        );
      return outcomes;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((o) => o === 'fail').length).toBeGreaterThan(3);
    expect(first.filter((o) => o === 'ok').length).toBeGreaterThan(3);
  });
});
