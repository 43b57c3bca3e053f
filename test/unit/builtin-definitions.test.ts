import { describe, expect, it } from 'vitest';
import { builtinDefinitionsDir, loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { parseDocument } from '../../model/document.js';
import { toDiffYaml } from '../../model/diff.js';
import type { KubeObject } from '../../model/kube-object.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import type { RenderedResource } from '../../model/rendered-resource.js';
import type { ReferencedObject } from '../../model/snapshot.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { expectGolden } from './helpers/golden.js';

function application(components: unknown[]): Application {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'prod' },
    spec: { components },
  }) as Application;
}

async function render(
  components: unknown[],
  referencedObjects: ReferencedObject[] = [],
): Promise<RenderedResource[]> {
  const snapshot = buildSnapshot({
    application: application(components),
    catalog: loadBuiltinDefinitions(),
    referencedObjects,
  });
  return renderTargets(snapshot, resolvePlacement(snapshot, [], []), 'shop-v1');
}

function objects(rendered: RenderedResource[]): KubeObject[] {
  return rendered.map((r) => r.object);
}

type PodSpec = { containers: Record<string, unknown>[]; restartPolicy?: string };
function podSpec(object: KubeObject | undefined): PodSpec {
  return (object?.spec as { template: { spec: PodSpec } }).template.spec;
}

const KITCHEN_SINK = [
  {
    name: 'web',
    type: 'webservice',
    properties: {
      image: 'nginx:1',
      ports: [{ port: 80 }, { port: 9090, expose: true, name: 'metrics' }],
      cpu: '500m',
      env: [{ name: 'A', value: 'x' }],
    },
    traits: [
      { type: 'scaler', properties: { replicas: 2 } },
      { type: 'labels', properties: { team: 'a' } },
      { type: 'annotations', properties: { note: 'n' } },
      { type: 'env', properties: { env: { B: 2, A: 'y' } } },
      { type: 'resource', properties: { memory: '1Gi', limits: { cpu: 2 } } },
    ],
  },
  {
    name: 'queue',
    type: 'worker',
    properties: { image: 'busybox', cmd: ['sleep', '1000'] },
    traits: [{ type: 'expose', properties: { port: [8080] } }],
  },
  {
    name: 'migrate',
    type: 'task',
    properties: { image: 'flyway', count: 2 },
    traits: [{ type: 'resource', properties: { cpu: 1 } }],
  },
  {
    name: 'raw',
    type: 'k8s-objects',
    properties: {
      objects: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings', namespace: 'elsewhere' },
          data: { a: 'b' },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'audit' } },
      ],
    },
    traits: [{ type: 'labels', properties: { l: 'v' } }],
  },
];

describe('the built-in definitions', () => {
  it("are KubeVela's components, traits and policies and its built-in step types, each with a version", () => {
    const builtins = loadBuiltinDefinitions();
    expect(Object.keys(builtins.componentDefinitions).sort()).toEqual([
      'cron-task',
      'daemon',
      'k8s-objects',
      'ref-objects',
      'statefulset',
      'task',
      'webservice',
      'worker',
    ]);
    expect(Object.keys(builtins.traitDefinitions).sort()).toEqual([
      'affinity',
      'annotations',
      'command',
      'container-image',
      'container-ports',
      'cpuscaler',
      'env',
      'expose',
      'gateway',
      'hostalias',
      'hpa',
      'init-container',
      'json-merge-patch',
      'json-patch',
      'k8s-update-strategy',
      'labels',
      'lifecycle',
      'podsecuritycontext',
      'pure-ingress',
      'resource',
      'scaler',
      'securitycontext',
      'service-account',
      'service-binding',
      'sidecar',
      'startup-probe',
      'storage',
      'topologyspreadconstraints',
    ]);
    expect(Object.keys(builtins.policyDefinitions).sort()).toEqual([
      'apply-once',
      'garbage-collect',
      'override',
      'read-only',
      'replication',
      'resource-update',
      'shared-resource',
      'state-keep',
      'take-over',
      'topology',
    ]);
    expect(Object.keys(builtins.workflowStepDefinitions).sort()).toEqual([
      'apply-component',
      'apply-deployment',
      'apply-object',
      'check-metrics',
      'clean-jobs',
      'collect-service-endpoints',
      'depends-on-app',
      'deploy',
      'export-data',
      'export-service',
      'export2config',
      'export2secret',
      'notification',
      'print-message-in-status',
      'read-object',
      'request',
      'restart-workflow',
      'step-group',
      'suspend',
      'webhook',
    ]);
    const all = [
      ...Object.values(builtins.componentDefinitions),
      ...Object.values(builtins.traitDefinitions),
      ...Object.values(builtins.policyDefinitions),
      ...Object.values(builtins.workflowStepDefinitions),
    ];
    for (const d of all) expect(d.spec.version, d.metadata.name).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(all.map((d) => d.metadata.namespace))).toEqual(new Set(['vela-system']));
  });

  it('are read once from the definitions folder next to the module', () => {
    expect(builtinDefinitionsDir()).toMatch(/definitions$/);
    expect(loadBuiltinDefinitions()).toBe(loadBuiltinDefinitions());
  });

  it('render every component type with every trait as in the golden file', async () => {
    expectGolden('builtins-rendered.yaml', toDiffYaml(await render(KITCHEN_SINK)));
  });

  it('webservice selects its pods by app.oam.dev/component, labels them with the application and leaves replicas to Kubernetes', async () => {
    const [deployment] = objects(
      await render([{ name: 'api', type: 'webservice', properties: { image: 'api:1' } }]),
    );
    expect(deployment?.spec).toEqual({
      selector: { matchLabels: { 'app.oam.dev/component': 'api' } },
      template: {
        metadata: { labels: { 'app.oam.dev/component': 'api', 'app.oam.dev/name': 'shop' } },
        spec: { containers: [{ image: 'api:1', name: 'api' }] },
      },
    });
  });

  it("every rendered object carries KubeVela's labels: workload and resource type, the trait and output of outputs", async () => {
    const rendered = objects(
      await render([
        {
          name: 'api',
          type: 'webservice',
          properties: { image: 'api:1', ports: [{ port: 80, expose: true }] },
        },
        {
          name: 'queue',
          type: 'worker',
          properties: { image: 'q:1' },
          traits: [{ type: 'expose', properties: { port: [9090] } }],
        },
      ]),
    );
    const revelaOwn = [
      'app.oam.dev/name',
      'app.oam.dev/namespace',
      'app.oam.dev/component',
      'app.oam.dev/revision',
    ];
    const kubevela = (o: KubeObject) =>
      Object.fromEntries(Object.entries(o.metadata.labels ?? {}).filter(([k]) => !revelaOwn.includes(k)));
    const workload = (type: string) => ({
      'app.oam.dev/appRevision': 'shop-v1',
      'app.oam.dev/resourceType': 'WORKLOAD',
      'workload.oam.dev/type': type,
    });
    const output = (trait: string, resource: string) => ({
      'app.oam.dev/appRevision': 'shop-v1',
      'app.oam.dev/resourceType': 'TRAIT',
      'trait.oam.dev/resource': resource,
      'trait.oam.dev/type': trait,
    });
    expect(rendered.map((o) => [`${o.kind}/${o.metadata.name}`, kubevela(o)])).toEqual([
      ['Deployment/api', workload('webservice')],
      ['Service/api', output('AuxiliaryWorkload', 'webserviceExpose')],
      ['Deployment/queue', workload('worker')],
      ['Service/queue', output('expose', 'expose')],
    ]);
  });

  it('webservice adds a Service only for exposed ports', async () => {
    const internal = objects(
      await render([
        { name: 'api', type: 'webservice', properties: { image: 'api:1', ports: [{ port: 80 }] } },
      ]),
    );
    expect(internal.map((o) => o.kind)).toEqual(['Deployment']);
    const exposed = objects(
      await render([
        {
          name: 'api',
          type: 'webservice',
          properties: { image: 'api:1', ports: [{ port: 80, expose: true }] },
        },
      ]),
    );
    expect(exposed.map((o) => o.kind)).toEqual(['Deployment', 'Service']);
    expect(exposed[1]?.spec).toEqual({
      ports: [{ name: 'port-80', port: 80, protocol: 'TCP', targetPort: 80 }],
      selector: { 'app.oam.dev/component': 'api' },
      type: 'ClusterIP',
    });
  });

  it('the env trait merges into the named container, sorted by variable name', async () => {
    const [deployment] = objects(
      await render([
        {
          name: 'api',
          type: 'webservice',
          properties: {
            image: 'api:1',
            env: [
              { name: 'KEEP', value: '1' },
              { name: 'MODE', value: 'dev' },
            ],
          },
          traits: [{ type: 'env', properties: { env: { MODE: 'prod', DEBUG: false } } }],
        },
      ]),
    );
    expect(podSpec(deployment).containers[0]?.env).toEqual([
      { name: 'KEEP', value: '1' },
      { name: 'MODE', value: 'prod' },
      { name: 'DEBUG', value: 'false' },
    ]);
  });

  it('k8s-objects puts namespaced objects into the target namespace and leaves cluster-scoped ones without', async () => {
    const rendered = objects(await render([KITCHEN_SINK[3]]));
    expect(rendered.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
      'ConfigMap prod/settings',
      'Namespace -/audit',
    ]);
  });

  it('ref-objects deploys the recorded objects, and Secrets only as references to their source', async () => {
    const referenced: ReferencedObject[] = [
      {
        cluster: 'local',
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'shared', namespace: 'prod', uid: 'u1', resourceVersion: '9' },
          data: { k: 'v' },
        },
      },
      {
        cluster: 'vault',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'creds', namespace: 'infra' },
          data: { password: 'c2VjcmV0' },
        },
      },
    ];
    const rendered = objects(
      await render(
        [
          {
            name: 'refs',
            type: 'ref-objects',
            properties: {
              objects: [
                { resource: 'configmap', name: 'shared' },
                { kind: 'Secret', name: 'creds', namespace: 'infra', cluster: 'vault' },
              ],
            },
          },
        ],
        referenced,
      ),
    );
    expect(rendered[0]).toMatchObject({
      kind: 'ConfigMap',
      data: { k: 'v' },
      metadata: { name: 'shared', namespace: 'prod' },
    });
    expect(rendered[0]?.metadata).not.toHaveProperty('uid');
    expect(rendered[1]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'creds',
        namespace: 'prod',
        annotations: {
          'revela.dev/secret-data-sha256': expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
          'revela.dev/secret-source': 'vault/infra/creds',
        },
        labels: {
          'app.oam.dev/appRevision': 'shop-v1',
          'app.oam.dev/component': 'refs',
          'app.oam.dev/name': 'shop',
          'app.oam.dev/namespace': 'prod',
          'app.oam.dev/resourceType': 'TRAIT',
          'app.oam.dev/revision': 'shop-v1',
          'trait.oam.dev/resource': 'objects-1',
          'trait.oam.dev/type': 'AuxiliaryWorkload',
        },
      },
    });
    expect(JSON.stringify(rendered)).not.toContain('c2VjcmV0');
  });

  it('templates cannot read the clock, so rendering is repeatable', async () => {
    const builtins = loadBuiltinDefinitions();
    const webservice = builtins.componentDefinitions.webservice;
    if (!webservice) throw new Error('no webservice');
    const clock = structuredClone(webservice);
    clock.metadata.name = 'clock';
    if (!clock.spec.schematic.jsonata) throw new Error('webservice is not JSONata');
    clock.spec.schematic.jsonata.template =
      '{ "output": { "apiVersion": "v1", "kind": "ConfigMap", "data": { "at": $now() } } }';
    const snapshot = buildSnapshot({
      application: application([{ name: 'c', type: 'clock', properties: { image: 'x' } }]),
      catalog: { ...builtins, componentDefinitions: { ...builtins.componentDefinitions, clock } },
    });
    await expect(renderTargets(snapshot, resolvePlacement(snapshot, [], []), 'shop-v1')).rejects.toThrow(
      '$now() is not allowed in templates: rendering must give the same objects every time',
    );
  });
});
