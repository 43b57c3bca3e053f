import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { formatAge } from '../../kube/format-age.js';
import { checkObjectHealth } from '../../kube/health.js';
import { buildResourceTree } from '../../kube/resource-tree.js';
import type { KubeObject } from '../../model/kube-object.js';
import { ANNOTATION_APPLIED_AT, LABEL_REVISION } from '../../model/labels.js';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { deployment, job, service } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/** The resource tree of `revela status`, built from what real clusters hold. */

let fixture: KubeFixture;
let registry: ClusterRegistry;

function revisioned(object: KubeObject, revision: string, appliedAt?: string): KubeObject {
  const copy = structuredClone(object);
  copy.metadata.labels = { ...copy.metadata.labels, [LABEL_REVISION]: revision };
  if (appliedAt)
    copy.metadata.annotations = { ...copy.metadata.annotations, [ANNOTATION_APPLIED_AT]: appliedAt };
  return copy;
}

beforeAll(async () => {
  fixture = await startKubeFixture();
  registry = fixture.registry;
  for (const cluster of ['local', 'hangzhou1', 'hangzhou2'])
    await registry.client(cluster).ensureNamespace('examples');
});

afterAll(async () => {
  await fixture?.stop();
});

describe('buildResourceTree', () => {
  it('shows per cluster whether each resource is updated, outdated or not deployed, with kubectl columns', async () => {
    const podinfo = deployment('podinfo', { namespace: 'examples', replicas: 3 });
    const svc = service('podinfo', { namespace: 'examples' });
    await registry.client('hangzhou1').apply(revisioned(podinfo, 'podinfo-v2', '2026-01-02T03:04:05.000Z'));
    await registry.client('hangzhou1').apply(revisioned(svc, 'podinfo-v2'));
    await registry.client('hangzhou2').apply(revisioned(podinfo, 'podinfo-v1', '2026-01-01T00:00:00.000Z'));

    const rendered = [
      { cluster: 'hangzhou2', object: revisioned(podinfo, 'podinfo-v2') },
      { cluster: 'hangzhou1', object: revisioned(podinfo, 'podinfo-v2') },
      { cluster: 'hangzhou1', object: revisioned(svc, 'podinfo-v2') },
      { cluster: 'local', object: revisioned(podinfo, 'podinfo-v2') },
    ];
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'examples' };
    await waitFor(
      'podinfo to roll out on hangzhou1',
      async () => checkObjectHealth(await fixture.clusters.client('hangzhou1').read(ref)),
      (h) => h.healthy,
      { timeoutMs: 60_000 },
    );
    const created = (await fixture.clusters.client('hangzhou1').read(ref))?.metadata
      .creationTimestamp as string;
    const now = new Date(Date.parse(created) + 17 * 60_000 + 20_000);
    const tree = await buildResourceTree({ registry, resources: rendered, revision: 'podinfo-v2', now });

    expect(tree.map((r) => [r.cluster, r.namespace, r.resource, r.status])).toEqual([
      ['hangzhou1', 'examples', 'Deployment/podinfo', 'updated'],
      ['hangzhou1', 'examples', 'Service/podinfo', 'updated'],
      ['hangzhou2', 'examples', 'Deployment/podinfo', 'outdated'],
      ['local', 'examples', 'Deployment/podinfo', 'not-deployed'],
    ]);
    expect(tree[0]).toEqual({
      cluster: 'hangzhou1',
      namespace: 'examples',
      resource: 'Deployment/podinfo',
      status: 'updated',
      applyTime: '2026-01-02T03:04:05.000Z',
      details: {
        Ready: '3/3',
        'Up-to-date': 3,
        Available: 3,
        Age: '17m',
        Containers: 'podinfo',
        Images: 'stefanprodan/podinfo:6.5.0',
        Selector: 'app.oam.dev/component=podinfo',
      },
    });
    expect(tree[1]?.details).toMatchObject({
      Type: 'ClusterIP',
      Ports: '80/TCP',
      Age: '17m',
      Selector: 'app.oam.dev/component=podinfo',
    });
    const svcLive = await fixture.clusters
      .client('hangzhou1')
      .read({ apiVersion: 'v1', kind: 'Service', name: 'podinfo', namespace: 'examples' });
    expect(tree[1]?.details['Cluster-IP']).toBe((svcLive?.spec as { clusterIP: string }).clusterIP);
    expect(tree[2]?.applyTime).toBe('2026-01-01T00:00:00.000Z');
    expect(tree[3]).toEqual({
      cluster: 'local',
      namespace: 'examples',
      resource: 'Deployment/podinfo',
      status: 'not-deployed',
      details: {},
    });
  });

  it('takes the apply time from the managed fields of manager revela when the annotation is missing', async () => {
    const before = Date.now();
    await registry.client('local').apply(revisioned(job('migrate', { namespace: 'examples' }), 'app-v1'));
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'examples' };
    await waitFor(
      'the Job to complete',
      async () => checkObjectHealth(await fixture.clusters.client('local').read(ref)),
      (h) => h.healthy,
      { timeoutMs: 60_000 },
    );
    const [row] = await buildResourceTree({
      registry,
      resources: [
        { cluster: 'local', object: revisioned(job('migrate', { namespace: 'examples' }), 'app-v1') },
      ],
      revision: 'app-v1',
    });
    expect(row?.status).toBe('updated');
    // managedFields record whole seconds.
    expect(Date.parse(row?.applyTime ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(row?.details).toMatchObject({
      Status: 'Complete',
      Completions: '1/1',
      Containers: 'migrate',
      Images: 'busybox:1.36',
    });
  });

  it('an object without the revision label is outdated', async () => {
    await registry.client('local').apply(service('legacy', { namespace: 'examples' }));
    const [row] = await buildResourceTree({
      registry,
      resources: [{ cluster: 'local', object: service('legacy', { namespace: 'examples' }) }],
      revision: 'x-v1',
    });
    expect(row?.status).toBe('outdated');
  });
});

describe('formatAge', () => {
  it.each([
    [-5_000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [133_000, '2m13s'],
    [180_000, '3m'],
    [17 * 60_000 + 20_000, '17m'],
    [179 * 60_000, '179m'],
    [5 * 3_600_000 + 3 * 60_000, '5h3m'],
    [6 * 3_600_000, '6h'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
    [2 * 86_400_000, '2d'],
    [40 * 86_400_000, '40d'],
    [(2 * 365 + 10) * 86_400_000, '2y10d'],
    [9 * 365 * 86_400_000, '9y'],
  ])('%i ms is %s, as kubectl prints it', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});
