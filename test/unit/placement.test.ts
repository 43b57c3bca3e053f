import { describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import type { ClusterInfo } from '../../model/cluster-info.js';
import { parseDocument } from '../../model/document.js';
import { resolvePlacement, selectComponents } from '../../model/placement.js';
import type { RevisionSnapshot } from '../../model/snapshot.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { podinfoApp, podinfoCatalog, podinfoClusters } from './helpers/podinfo.js';

const CLUSTERS: ClusterInfo[] = [
  { name: 'local', labels: {} },
  { name: 'hangzhou2', labels: { region: 'hangzhou', tier: 'prod' } },
  { name: 'hangzhou1', labels: { region: 'hangzhou', tier: 'prod' } },
  { name: 'beijing1', labels: { region: 'beijing', tier: 'prod' } },
  { name: 'beijing2', labels: { region: 'beijing', tier: 'staging' } },
];

function snapshotOf(policies: unknown[]): RevisionSnapshot {
  const application = parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'shop' },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'web:1', env: [{ name: 'MODE', value: 'a' }] },
          traits: [
            { type: 'scaler', properties: { replicas: 2 } },
            { type: 'labels', properties: { team: 'x' } },
          ],
        },
        { name: 'worker', type: 'worker', properties: { image: 'worker:1' } },
      ],
      policies,
    },
  }) as Application;
  return buildSnapshot({ application, catalog: podinfoCatalog() });
}

function places(snapshot: RevisionSnapshot, names: string[]): string[] {
  return resolvePlacement(snapshot, names, CLUSTERS).map((t) => `${t.cluster}/${t.namespace}`);
}

describe('placement', () => {
  it('sends podinfo to hangzhou1 and hangzhou2 in namespace examples with 3 replicas', () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    const targets = resolvePlacement(
      snapshot,
      ['topology-hangzhou-clusters', 'override-high-availability'],
      podinfoClusters(),
    );
    expect(targets.map((t) => [t.cluster, t.namespace, t.components.map((c) => [c.name, c.traits])])).toEqual(
      [
        ['hangzhou1', 'examples', [['podinfo', [{ type: 'scaler', properties: { replicas: 3 } }]]]],
        ['hangzhou2', 'examples', [['podinfo', [{ type: 'scaler', properties: { replicas: 3 } }]]]],
      ],
    );
  });

  it('deploys to the local cluster in the application namespace without a topology', () => {
    expect(places(snapshotOf([]), [])).toEqual(['local/shop']);
  });

  it('selects clusters by every label of the selector, sorted by name, into the topology namespace', () => {
    const snapshot = snapshotOf([
      {
        name: 'prod',
        type: 'topology',
        properties: { clusterLabelSelector: { tier: 'prod' }, namespace: 'shop-prod' },
      },
    ]);
    expect(places(snapshot, ['prod'])).toEqual([
      'beijing1/shop-prod',
      'hangzhou1/shop-prod',
      'hangzhou2/shop-prod',
    ]);
  });

  it('keeps topology order across policies and lists a cluster and namespace once', () => {
    const snapshot = snapshotOf([
      { name: 'hz', type: 'topology', properties: { clusters: ['hangzhou2', 'hangzhou1'] } },
      { name: 'bj', type: 'topology', properties: { clusterSelector: { region: 'beijing' } } },
      { name: 'again', type: 'topology', properties: { clusters: ['hangzhou1'] } },
    ]);
    expect(places(snapshot, ['bj', 'hz', 'again'])).toEqual([
      'beijing1/shop',
      'beijing2/shop',
      'hangzhou1/shop',
      'hangzhou2/shop',
    ]);
  });

  it('deep-merges override properties into the components selected by type', () => {
    const snapshot = snapshotOf([
      {
        name: 'v2',
        type: 'override',
        properties: { components: [{ type: 'webservice', properties: { image: 'web:2', cpu: '1' } }] },
      },
    ]);
    const [target] = resolvePlacement(snapshot, ['v2'], CLUSTERS);
    expect(target?.components.map((c) => [c.name, c.properties])).toEqual([
      ['web', { image: 'web:2', env: [{ name: 'MODE', value: 'a' }], cpu: '1' }],
      ['worker', { image: 'worker:1' }],
    ]);
  });

  it('adds, merges and disables traits of the components selected by name', () => {
    const snapshot = snapshotOf([
      {
        name: 'tune',
        type: 'override',
        properties: {
          components: [
            {
              name: 'web',
              traits: [
                { type: 'scaler', properties: { replicas: 5 } },
                { type: 'labels', disable: true },
                { type: 'annotations', properties: { owner: 'shop' } },
              ],
            },
          ],
        },
      },
    ]);
    const [target] = resolvePlacement(snapshot, ['tune'], CLUSTERS);
    expect(target?.components[0]?.traits).toEqual([
      { type: 'scaler', properties: { replicas: 5 } },
      { type: 'annotations', properties: { owner: 'shop' } },
    ]);
    expect(target?.components[1]?.traits).toEqual([]);
  });

  it('changes every component when an override selects neither name nor type, and applies overrides in order', () => {
    const snapshot = snapshotOf([
      {
        name: 'a',
        type: 'override',
        properties: { components: [{ properties: { imagePullPolicy: 'Always' } }] },
      },
      {
        name: 'b',
        type: 'override',
        properties: { components: [{ name: 'worker', properties: { imagePullPolicy: null } }] },
      },
    ]);
    const [target] = resolvePlacement(snapshot, ['a', 'b'], CLUSTERS);
    expect(target?.components.map((c) => c.properties.imagePullPolicy)).toEqual(['Always', undefined]);
  });

  it('deploys only the components an override selector names', () => {
    const snapshot = snapshotOf([{ name: 'only-web', type: 'override', properties: { selector: ['web'] } }]);
    expect(resolvePlacement(snapshot, ['only-web'], CLUSTERS)[0]?.components.map((c) => c.name)).toEqual([
      'web',
    ]);
  });

  it('prefers an inline policy to an external one of the same name', () => {
    const application = podinfoApp();
    application.spec.policies = [
      { name: 'topology-hangzhou-clusters', type: 'topology', properties: { clusters: ['local'] } },
    ];
    const snapshot = buildSnapshot({ application, catalog: podinfoCatalog() });
    expect(
      resolvePlacement(snapshot, ['topology-hangzhou-clusters'], podinfoClusters()).map((t) => t.cluster),
    ).toEqual(['local']);
  });

  it('names the step when a policy is neither inline nor external', () => {
    const snapshot = snapshotOf([]);
    expect(() => resolvePlacement(snapshot, ['nowhere'], CLUSTERS, { step: 'deploy-eu' })).toThrow(
      'Application shop/shop: steps.deploy-eu.properties.policies[0]: step "deploy-eu" names policy "nowhere", which is neither in spec.policies nor an external policy of the revision',
    );
  });

  it('selects components by name for apply-component, in the order asked', () => {
    const snapshot = snapshotOf([]);
    expect(selectComponents(snapshot, ['worker', 'web']).map((c) => c.name)).toEqual(['worker', 'web']);
    expect(selectComponents(snapshot).map((c) => c.name)).toEqual(['web', 'worker']);
    expect(() => selectComponents(snapshot, ['db'])).toThrow(
      /component "db" is not part of the application; components: web, worker/,
    );
  });

  it('does not change the snapshot', () => {
    const snapshot = snapshotOf([
      { name: 'v2', type: 'override', properties: { components: [{ properties: { image: 'x' } }] } },
    ]);
    const before = JSON.stringify(snapshot);
    resolvePlacement(snapshot, ['v2'], CLUSTERS)[0]?.components[0]?.traits.push({
      type: 'x',
      properties: {},
    });
    expect(JSON.stringify(snapshot)).toBe(before);
  });

  it("gives every target its own components, so changing one target's leaves the others as placed", () => {
    const snapshot = snapshotOf([
      { name: 'hz', type: 'topology', properties: { clusterLabelSelector: { region: 'hangzhou' } } },
      {
        name: 'v2',
        type: 'override',
        properties: { components: [{ name: 'web', properties: { image: 'x' } }] },
      },
    ]);
    const [first, second] = resolvePlacement(snapshot, ['hz', 'v2'], CLUSTERS);
    expect([first?.cluster, second?.cluster]).toEqual(['hangzhou1', 'hangzhou2']);
    const placed = JSON.stringify(second);
    for (const component of first?.components ?? []) {
      component.properties.image = 'changed';
      (component.properties.env as unknown[] | undefined)?.push({ name: 'X', value: '1' });
      component.traits.push({ type: 'x', properties: {} });
      component.traits[0]!.properties.replicas = 9;
      component.dependsOn.push('x');
    }
    expect(JSON.stringify(second)).toBe(placed);
  });
});
