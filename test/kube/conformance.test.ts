import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClient, WatchEvent } from '../../kube/cluster-client.js';
import type { KubeApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../model/kube-object.js';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { failure } from './support/failure.js';
import { configMap, deployment, service } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/**
 * Drives kube/ against real kube-apiservers (through their fault proxies, as the worker reaches
 * them) the way the engine uses it: server-side apply, read, list, delete and watch. Health and
 * injected faults: health.test.ts and faults.test.ts.
 */

let fixture: KubeFixture;
let local: ClusterClient;
let hangzhou: ClusterClient;

function managers(object: KubeObject): string[] {
  const entries = object.metadata.managedFields as { manager: string; operation: string }[] | undefined;
  return (entries ?? []).map((e) => `${e.manager}/${e.operation}`).sort();
}

beforeAll(async () => {
  fixture = await startKubeFixture({ requestTimeoutMs: 10_000 });
  local = fixture.registry.client('local');
  hangzhou = fixture.registry.client('hangzhou1');
  await local.ensureNamespace('examples');
  await hangzhou.ensureNamespace('examples');
});

afterAll(async () => {
  await fixture?.stop();
});

afterEach(() => fixture.clusters.clearFaults());

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
    // The apiserver names an Apply manager without "using <apiVersion>" (that is for Update managers).
    expect(err.message).toBe(
      'local: apply Deployment/scaled: Apply failed with 1 conflict: conflict with "ops-team": .spec.replicas (HTTP 409 Conflict)',
    );
    expect(err.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "ops-team"', field: '.spec.replicas' },
    ]);
  });

  it('takes the conflicting field over with force', async () => {
    const forced = await local.apply(deployment('scaled', { namespace: 'examples', replicas: 3 }), {
      force: true,
    });
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    const entries = forced.metadata.managedFields as {
      manager: string;
      fieldsV1: { 'f:spec'?: Record<string, unknown> };
    }[];
    const revela = entries.find((e) => e.manager === 'revela');
    const ops = entries.find((e) => e.manager === 'ops-team');
    expect(revela?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(ops?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });

  it('a dry run answers with the defaulted object and stores nothing', async () => {
    const answer = await local.apply(deployment('dry', { namespace: 'examples' }), { dryRun: true });
    expect(answer.spec).toMatchObject({
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
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
    expect(err.message).toContain('`selector` does not match template `labels`');
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
    // The apiserver allocated a cluster IP from its service range.
    expect((svc.spec as { clusterIP: string }).clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('does not change the object it was given', async () => {
    const object = configMap('untouched', { a: '1' });
    delete object.metadata.namespace;
    const before = structuredClone(object);
    const stored = await local.apply(object);
    expect(object).toEqual(before);
    expect(stored.metadata.namespace).toBe('default');
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
        configMap(
          `cm-${String(i).padStart(3, '0')}`,
          { i: String(i) },
          { namespace: 'many', labels: { bulk: 'yes' } },
        ),
      );
    const proxy = fixture.clusters.faults('local');
    const pagesBefore = proxy.requestsMatching({ verbs: ['list'], path: 'continue=' }).length;
    const all = await local.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'many' });
    // The namespace controller's kube-root-ca.crt is there too, as in every namespace.
    expect(all).toHaveLength(521);
    expect(new Set(all.map((o) => o.metadata.name)).size).toBe(521);
    expect(all.filter((o) => o.metadata.labels?.bulk === 'yes')).toHaveLength(520);
    expect(proxy.requestsMatching({ verbs: ['list'], path: 'continue=' }).length).toBe(pagesBefore + 1);
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
    // The namespace controller empties it, then it goes.
    await waitFor(
      'namespace doomed to be gone',
      () => local.read({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' }),
      (ns) => ns === undefined,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await local.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'doomed' })).toEqual([]);
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
        fieldSelector: 'metadata.name=r',
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
    const proxy = fixture.clusters.faults('hangzhou1');
    const watch = await hangzhou.watch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'replay' },
      () => undefined,
    );
    await proxy.refuseConnections(true);
    const outcome = await watch.done.then(
      () => 'ended',
      (err: KubeApiError) => (err.retryable ? 'ended' : `failed permanently: ${err.message}`),
    );
    expect(outcome).toBe('ended');
    const err = await failure(hangzhou.watch({ apiVersion: 'v1', kind: 'ConfigMap' }, () => undefined));
    expect(err).toMatchObject({ type: 'KubeRetryable', code: 'ECONNREFUSED', verb: 'watch' });
    await proxy.refuseConnections(false);
    const healed = await hangzhou.watch({ apiVersion: 'v1', kind: 'ConfigMap' }, () => undefined);
    healed.stop();
    await healed.done;
  });
});
