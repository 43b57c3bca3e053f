import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type Simulator } from '../../cluster-sim/simulator.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { deployment, job } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/** The simulator's HTTP surface, checked with plain HTTP requests as any client would send them. */

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   these tests walk raw API JSON; every value they reach is checked by an expect. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: Simulator;
let base: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const init: RequestInit = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json, headers: res.headers };
}

const apply = (path: string, object: unknown, query = 'fieldManager=test') =>
  call('PATCH', `${path}?${query}`, JSON.stringify(object), {
    'Content-Type': 'application/apply-patch+yaml',
  });

beforeAll(async () => {
  sim = await startSimulator({
    clusters: [{ name: 'local' }, { name: 'remote', labels: { region: 'eu' } }],
    rolloutDurationMs: 0,
  });
  base = sim.clusters[0]?.url ?? '';
});

afterAll(async () => {
  await sim?.stop();
});

describe('discovery and OpenAPI', () => {
  it('serves /version, /api, /apis and each group-version', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '33' });
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body.groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(['apps', 'batch', 'networking.k8s.io']);
    const apps = (await call('GET', '/apis/apps/v1')).body.resources as {
      name: string;
      kind: string;
      namespaced: boolean;
    }[];
    expect(apps.map((r) => r.name)).toEqual(
      expect.arrayContaining(['deployments', 'deployments/scale', 'statefulsets', 'daemonsets']),
    );
    const core = (await call('GET', '/api/v1')).body.resources as { name: string; namespaced: boolean }[];
    expect(core.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    expect(core.find((r) => r.name === 'services')?.namespaced).toBe(true);
  });

  it('publishes OpenAPI v3 with fieldValidation on each PATCH, which is what kubectl looks for', async () => {
    const root = (await call('GET', '/openapi/v3')).body.paths as Record<
      string,
      { serverRelativeURL: string }
    >;
    expect(Object.keys(root)).toEqual([
      'api/v1',
      'apis/apps/v1',
      'apis/batch/v1',
      'apis/networking.k8s.io/v1',
    ]);
    const doc = (await call('GET', root['apis/apps/v1']?.serverRelativeURL ?? '')).body;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch as Json;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(
      (patch.parameters as { name: string; in: string }[]).some(
        (p) => p.name === 'fieldValidation' && p.in === 'query',
      ),
    ).toBe(true);
  });

  it('answers unknown paths with a 404 Status', async () => {
    const res = await call('GET', '/apis/example.com/v1/widgets');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });
});

describe('writes, Status errors and versioning', () => {
  const deployments = '/apis/apps/v1/namespaces/default/deployments';

  it('apply without a field manager is a 400, as upstream', async () => {
    const res = await apply(`${deployments}/x`, deployment('x'), '');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('fieldManager: Required value');
  });

  it('creating an existing object is 409 AlreadyExists; a stale resourceVersion is 409 Conflict', async () => {
    expect((await call('POST', deployments, deployment('versioned', { replicas: 1 }))).status).toBe(201);
    const again = await call('POST', deployments, deployment('versioned'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'deployments.apps "versioned" already exists',
    });

    const current = (await call('GET', `${deployments}/versioned`)).body;
    const stale = structuredClone(current);
    stale.metadata.resourceVersion = '1';
    const conflict = await call('PUT', `${deployments}/versioned`, stale);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ reason: 'Conflict' });
    expect(conflict.body.message).toContain('the object has been modified');
  });

  it('resourceVersion moves on every write, generation only on spec changes', async () => {
    const first = (await call('GET', `${deployments}/versioned`)).body;
    const labelled = (
      await call(
        'PATCH',
        `${deployments}/versioned`,
        { metadata: { labels: { team: 'a' } } },
        { 'Content-Type': 'application/merge-patch+json' },
      )
    ).body;
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(labelled.metadata.generation).toBe(first.metadata.generation);
    const scaled = (
      await call(
        'PATCH',
        `${deployments}/versioned`,
        { spec: { replicas: 2 } },
        { 'Content-Type': 'application/merge-patch+json' },
      )
    ).body;
    expect(scaled.metadata.generation).toBe(first.metadata.generation + 1);
    expect(scaled.metadata.managedFields.map((m: Json) => `${m.manager}/${m.operation}`)).toContain(
      'node/Update',
    );
  });

  it('a strategic merge patch merges containers by name; a merge patch replaces the list', async () => {
    const two = deployment('sidecars');
    two.spec = structuredClone(two.spec);
    (two.spec as Json).template.spec.containers.push({ name: 'proxy', image: 'envoy:1.30' });
    await call('POST', deployments, two);
    const strategic = await call(
      'PATCH',
      `${deployments}/sidecars`,
      { spec: { template: { spec: { containers: [{ name: 'proxy', image: 'envoy:1.31' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(strategic.body.spec.template.spec.containers.map((c: Json) => `${c.name}=${c.image}`)).toEqual([
      'sidecars=stefanprodan/podinfo:6.5.0',
      'proxy=envoy:1.31',
    ]);
    const merge = await call(
      'PATCH',
      `${deployments}/sidecars`,
      {
        spec: {
          template: { spec: { containers: [{ name: 'sidecars', image: 'stefanprodan/podinfo:6.6.0' }] } },
        },
      },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(merge.body.spec.template.spec.containers.map((c: Json) => c.name)).toEqual(['sidecars']);
  });

  it('refuses protobuf bodies with 415 and says to use kubectl apply', async () => {
    const res = await call('POST', '/api/v1/namespaces', 'k8s\0…', {
      'Content-Type': 'application/vnd.kubernetes.protobuf',
    });
    expect(res.status).toBe(415);
    expect(res.body.message).toContain('use `kubectl apply`');
  });

  it('an invalid label selector is a 400', async () => {
    const res = await call('GET', `${deployments}?labelSelector=${encodeURIComponent('a b c')}`);
    expect(res.status).toBe(400);
  });

  it('with rolloutDurationMs 0 the write itself answers with the finished rollout', async () => {
    const res = await apply(`${deployments}/instant`, deployment('instant', { replicas: 2 }));
    expect(res.status).toBe(201);
    expect(res.body.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('scales through the scale subresource', async () => {
    const res = await call(
      'PATCH',
      `${deployments}/instant/scale`,
      { spec: { replicas: 4 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(res.body).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 4 },
      status: { replicas: 4, selector: 'app.oam.dev/component=instant' },
    });
  });

  it('a Job whose image cannot be pulled stays active', async () => {
    const res = await apply(
      '/apis/batch/v1/namespaces/default/jobs/stuck',
      job('stuck', { image: 'busybox:1.xxx' }),
    );
    expect(res.body.status).toMatchObject({ active: 1 });
    expect(res.body.status.conditions).toBeUndefined();
  });
});

describe('Table output', () => {
  it('prints Deployments with the columns of kubectl get, and the wide ones at priority 1', async () => {
    const res = await call('GET', '/apis/apps/v1/namespaces/default/deployments/instant', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.body.kind).toBe('Table');
    expect(res.body.columnDefinitions.map((c: Json) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Up-to-date:0',
      'Available:0',
      'Age:0',
      'Containers:1',
      'Images:1',
      'Selector:1',
    ]);
    expect(res.body.rows[0].cells.slice(0, 4)).toEqual(['instant', '4/4', 4, 4]);
    expect(res.body.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'instant' },
    });
  });
});

describe('admin endpoint', () => {
  it('lists clusters and sets and clears faults at run time', async () => {
    const clusters = (await (await fetch(`${sim.adminUrl}/clusters`)).json()) as Json[];
    expect(clusters.map((c) => `${c.name} ${JSON.stringify(c.labels)}`)).toEqual([
      'local {}',
      'remote {"region":"eu"}',
    ]);

    const put = await fetch(`${sim.adminUrl}/clusters/remote/faults`, {
      method: 'PUT',
      body: JSON.stringify({ status: 503, verbs: ['list'] }),
    });
    expect(put.status).toBe(200);
    const remote = sim.clusters[1]?.url ?? '';
    expect((await fetch(`${remote}/api/v1/namespaces`)).status).toBe(503);
    expect((await fetch(`${remote}/api/v1/namespaces/default`)).status).toBe(200);
    expect((await fetch(`${sim.adminUrl}/clusters/remote/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${remote}/api/v1/namespaces`)).status).toBe(200);

    const objects = (await (await fetch(`${sim.adminUrl}/clusters/remote/objects`)).json()) as Json[];
    expect(objects.map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });

  it('rejects unknown clusters and invalid fault configs', async () => {
    expect(
      (await fetch(`${sim.adminUrl}/clusters/nowhere/faults`, { method: 'PUT', body: '{}' })).status,
    ).toBe(404);
    const bad = await fetch(`${sim.adminUrl}/clusters/local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error).toContain('errorRate must be between 0 and 1');
  });
});

describe('kubeconfig and clusters.yaml', () => {
  it('writes one http context per cluster, with insecure-skip-tls-verify, and the labels file', () => {
    const kubeconfig = parseYaml(sim.kubeconfigText()) as Json;
    expect(kubeconfig.contexts.map((c: Json) => c.name)).toEqual(['local', 'remote']);
    expect(kubeconfig.clusters[1].cluster).toEqual({
      server: sim.clusters[1]?.url,
      'insecure-skip-tls-verify': true,
    });
    expect(parseYaml(sim.clustersFileText())).toEqual({
      clusters: [
        { name: 'local', context: 'local' },
        { name: 'remote', context: 'remote', labels: { region: 'eu' } },
      ],
    });
  });
});

describe('lifecycle', () => {
  it('creates missing namespaces on apply when asked to', async () => {
    const lenient = await startSimulator({
      clusters: [{ name: 'c' }],
      createNamespacesOnApply: true,
      rolloutDurationMs: 0,
    });
    try {
      const registry = await ClusterRegistry.load({ kubeconfigText: lenient.kubeconfigText() });
      await registry.client('c').apply(deployment('web', { namespace: 'fresh' }));
      expect(lenient.objects('c').some((o) => o.kind === 'Namespace' && o.metadata.name === 'fresh')).toBe(
        true,
      );
    } finally {
      await lenient.stop();
    }
  });

  it('persists objects to the data file and restores them, continuing resourceVersions; old watches get 410', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'revela-sim-data-'));
    const dataFile = join(dir, 'sim-data.json');
    try {
      const first = await startSimulator({ clusters: [{ name: 'c' }], dataFile, rolloutDurationMs: 0 });
      const registry = await ClusterRegistry.load({ kubeconfigText: first.kubeconfigText() });
      const stored = await registry.client('c').apply(deployment('kept', { replicas: 2 }));
      await first.stop();
      const saved = JSON.parse(await readFile(dataFile, 'utf8')) as Json;
      expect(saved.version).toBe(1);

      const second = await startSimulator({ clusters: [{ name: 'c' }], dataFile, rolloutDurationMs: 0 });
      try {
        const again = await ClusterRegistry.load({ kubeconfigText: second.kubeconfigText() });
        const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'kept', namespace: 'default' };
        const restored = await again.client('c').read(ref);
        expect(restored?.metadata.uid).toBe(stored.metadata.uid);
        expect(restored?.status).toMatchObject({ availableReplicas: 2 });
        const updated = await again.client('c').apply(deployment('kept', { replicas: 3 }));
        expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(
          Number(stored.metadata.resourceVersion),
        );

        const url = second.clusters[0]?.url ?? '';
        // History from before the restart is gone: a watch from an older resourceVersion must re-list.
        const res = await fetch(
          `${url}/apis/apps/v1/deployments?watch=true&resourceVersion=1&timeoutSeconds=5`,
        );
        const line = JSON.parse((await res.text()).trim()) as Json;
        expect(line).toMatchObject({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired' },
        });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a rollout in progress when the simulator stops goes on after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'revela-sim-data-'));
    const dataFile = join(dir, 'sim-data.json');
    try {
      const first = await startSimulator({ clusters: [{ name: 'c' }], dataFile, rolloutDurationMs: 60_000 });
      await (
        await ClusterRegistry.load({ kubeconfigText: first.kubeconfigText() })
      )
        .client('c')
        .apply(deployment('slow', { replicas: 1 }));
      await first.stop();
      const second = await startSimulator({ clusters: [{ name: 'c' }], dataFile, rolloutDurationMs: 100 });
      try {
        const client = (await ClusterRegistry.load({ kubeconfigText: second.kubeconfigText() })).client('c');
        await waitFor(
          'the resumed rollout',
          () =>
            client.read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'slow', namespace: 'default' }),
          (d) => (d?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1,
        );
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stop ends open watches, closes the ports and can be called twice', async () => {
    const short = await startSimulator({ clusters: [{ name: 'c' }], rolloutDurationMs: 10_000 });
    const url = short.clusters[0]?.url ?? '';
    const watch = await fetch(`${url}/api/v1/namespaces?watch=true`);
    const reading = watch.text();
    await Promise.all([short.stop(), short.stop()]);
    await expect(reading).resolves.toContain('"ADDED"');
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });
});

describe('start failures', () => {
  it('a port already in use fails the start with EADDRINUSE, for clusters and for the admin endpoint', async () => {
    const taken = sim.clusters[0]?.port ?? 0;
    await expect(startSimulator({ clusters: [{ name: 'a' }, { name: 'b', port: taken }] })).rejects.toThrow(
      /EADDRINUSE/,
    );
    await expect(startSimulator({ clusters: [{ name: 'a' }], adminPort: taken })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
