import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { toDiffYaml } from '../../model/diff.js';
import { isRevelaError } from '../../model/errors.js';
import { parseDocument } from '../../model/document.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { renderRevisionSteps } from '../../model/step-render.js';
import type { ComponentDefinition } from '../../model/definition.js';
import { expectGolden } from './helpers/golden.js';

/** One built-in: what a KubeVela user writes with it, and a mistake with the path it is reported at. */
interface Case {
  name: string;
  components: unknown[];
  /** The mistake and where it is reported; `type` is InvalidParameters unless given. */
  bad: { components: unknown[]; path: string; type?: string };
}

const web = (traits: unknown[], properties: Record<string, unknown> = {}) => [
  { name: 'web', type: 'webservice', properties: { image: 'nginx:1.25', ...properties }, traits },
];
const trait = (
  type: string,
  properties: unknown,
  badPath: string,
  bad: unknown,
  errorType?: string,
): Case => ({
  name: type,
  components: web([{ type, properties }]),
  bad: {
    components: web([{ type, properties: bad }]),
    path: `spec.components[0].traits[0].properties${badPath}`,
    ...(errorType ? { type: errorType } : {}),
  },
});

const CASES: Case[] = [
  {
    name: 'daemon',
    components: [
      {
        name: 'agent',
        type: 'daemon',
        properties: {
          image: 'fluentd:1',
          ports: [{ port: 24224, expose: true }],
          volumeMounts: { hostPath: [{ name: 'logs', mountPath: '/var/log', path: '/var/log' }] },
        },
      },
    ],
    bad: {
      components: [{ name: 'agent', type: 'daemon', properties: { image: 'x', replicas: 2 } }],
      path: 'spec.components[0].properties.replicas',
    },
  },
  {
    name: 'statefulset',
    components: [
      {
        name: 'db',
        type: 'statefulset',
        properties: { image: 'postgres:16', ports: [{ port: 5432, expose: true }], replicas: 2 },
      },
    ],
    bad: {
      components: [{ name: 'db', type: 'statefulset', properties: { image: 'x', ports: [{ port: 70000 }] } }],
      path: 'spec.components[0].properties.ports[0].port',
    },
  },
  {
    name: 'cron-task',
    components: [
      {
        name: 'backup',
        type: 'cron-task',
        properties: {
          image: 'busybox',
          schedule: '*/5 * * * *',
          cmd: ['sh', '-c', 'date'],
          restart: 'OnFailure',
        },
      },
    ],
    bad: {
      components: [{ name: 'backup', type: 'cron-task', properties: { image: 'busybox' } }],
      path: 'spec.components[0].properties.schedule',
    },
  },
  trait(
    'sidecar',
    {
      name: 'logger',
      image: 'busybox',
      cmd: ['tail', '-f', '/var/log/app.log'],
      volumes: [{ name: 'logs', path: '/var/log' }],
    },
    '.image',
    { name: 'logger' },
  ),
  trait(
    'storage',
    {
      pvc: [{ name: 'data', mountPath: '/data' }],
      configMap: [
        { name: 'settings', mountPath: '/etc/app', data: { 'app.conf': 'a=b' } },
        { name: 'flags', mountToEnv: { envName: 'FLAG', configMapKey: 'flag' } },
      ],
      secret: [{ name: 'creds', mountPath: '/etc/creds' }],
      emptyDir: [{ name: 'cache', mountPath: '/cache', medium: 'Memory' }],
    },
    '.pvc[0].accessModes[0]',
    { pvc: [{ name: 'data', mountPath: '/data', accessModes: ['Sometimes'] }] },
  ),
  trait('command', { command: ['/bin/app'], addArgs: ['--verbose'], delArgs: ['--quiet'] }, '.command', {
    command: '/bin/app',
  }),
  trait('cpuscaler', { min: 2, max: 5, cpuUtil: 80 }, '.cpuUtil', { cpuUtil: 150 }),
  trait(
    'hpa',
    { max: 8, mem: { type: 'AverageValue', value: 512 }, podCustomMetrics: [{ name: 'rps', value: '100' }] },
    '.cpu.type',
    { cpu: { type: 'Percent' } },
  ),
  trait(
    'gateway',
    {
      domain: 'shop.example.com',
      http: { '/': 80, '/api': 8080 },
      secretName: 'shop-tls',
      classInSpec: true,
    },
    '.http["/"]',
    { http: { '/': 'eighty' } },
  ),
  trait('pure-ingress', { domain: 'shop.example.com', http: { '/': 80 } }, '.domain', { http: { '/': 80 } }),
  trait(
    'affinity',
    {
      podAntiAffinity: {
        preferred: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { app: 'web' } },
            },
          },
        ],
      },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
    },
    '.tolerations[0].effect',
    { tolerations: [{ effect: 'Sometimes' }] },
  ),
  trait(
    'init-container',
    {
      name: 'fetch',
      image: 'busybox',
      cmd: ['wget', '-O', '/work-dir/index.html', 'http://example.com'],
      appMountPath: '/usr/share/nginx/html',
      initMountPath: '/work-dir',
    },
    '.appMountPath',
    { name: 'fetch', image: 'busybox', initMountPath: '/work-dir' },
  ),
  trait('container-image', { image: 'nginx:1.27', imagePullPolicy: 'Always' }, '.imagePullPolicy', {
    image: 'nginx',
    imagePullPolicy: 'Sometimes',
  }),
  trait(
    'container-ports',
    { ports: [{ containerPort: 8080 }, { containerPort: 9090, protocol: 'UDP' }] },
    '.ports[0].containerPort',
    { ports: [{ containerPort: 0 }] },
  ),
  trait(
    'securitycontext',
    { runAsUser: 1000, dropCapabilities: ['ALL'], readOnlyRootFilesystem: true },
    '.runAsUser',
    { runAsUser: 'root' },
  ),
  trait(
    'podsecuritycontext',
    { runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
    '.seccompProfile.type',
    { seccompProfile: { type: 'Strict' } },
  ),
  trait(
    'service-account',
    {
      name: 'web-reader',
      create: true,
      privileges: [
        { verbs: ['get', 'list'], resources: ['pods'], apiGroups: [''] },
        { verbs: ['get'], resources: ['nodes'], apiGroups: [''], scope: 'cluster' },
      ],
    },
    '.name',
    { create: true },
  ),
  trait(
    'startup-probe',
    { httpGet: { path: '/healthz', port: 80 }, failureThreshold: 30 },
    '.periodSeconds',
    { periodSeconds: 0 },
  ),
  trait(
    'lifecycle',
    {
      preStop: { exec: { command: ['sh', '-c', 'sleep 5'] } },
      postStart: { httpGet: { path: '/warm', port: 80 } },
    },
    '.preStop.exec.command',
    { preStop: { exec: { command: 'sleep 5' } } },
  ),
  trait(
    'hostalias',
    { hostAliases: [{ ip: '10.0.0.7', hostnames: ['db.internal'] }] },
    '.hostAliases[0].ip',
    { hostAliases: [{ hostnames: ['db'] }] },
  ),
  trait(
    'topologyspreadconstraints',
    {
      constraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          labelSelector: { matchLabels: { 'app.oam.dev/component': 'web' } },
        },
      ],
    },
    '.constraints[0].maxSkew',
    { constraints: [{ maxSkew: 0, topologyKey: 'zone', labelSelector: {} }] },
  ),
  trait(
    'k8s-update-strategy',
    { strategy: { type: 'RollingUpdate', rollingStrategy: { maxSurge: '50%' } } },
    '.strategy.type',
    { strategy: { type: 'Sometimes' } },
  ),
  trait(
    'json-patch',
    {
      operations: [
        { op: 'add', path: '/spec/minReadySeconds', value: 10 },
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' },
      ],
    },
    '.operations[0].op',
    { operations: [{ op: 'append', path: '/spec' }] },
  ),
  trait(
    'json-merge-patch',
    { spec: { minReadySeconds: 5, template: { metadata: { annotations: { patched: 'yes' } } } } },
    '',
    'not an object',
    'InvalidDocument',
  ),
  trait(
    'service-binding',
    {
      envMappings: {
        DB_PASSWORD: { secret: 'db-credentials', key: 'password' },
        DB_USER: { secret: 'db-credentials' },
      },
    },
    '.envMappings.DB_USER.secret',
    { envMappings: { DB_USER: { key: 'user' } } },
  ),
];

function application(components: unknown[], policies: unknown[] = []): Application {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'prod' },
    spec: { components, ...(policies.length > 0 ? { policies } : {}) },
  }) as Application;
}

async function rendered(components: unknown[]): Promise<string> {
  const snapshot = buildSnapshot({ application: application(components), catalog: loadBuiltinDefinitions() });
  return toDiffYaml(await renderTargets(snapshot, resolvePlacement(snapshot, [], []), 'shop-v1'));
}

describe("KubeVela's other built-ins", () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s renders as in its golden file', async (name, c) => {
    expectGolden(`kubevela-builtins/${name}.yaml`, await rendered(c.components));
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s refuses a bad parameter naming its path',
    async (_name, c) => {
      let caught: unknown;
      try {
        await rendered(c.bad.components);
      } catch (e) {
        caught = e;
      }
      expect(isRevelaError(caught), String(caught)).toBe(true);
      expect(caught).toMatchObject({ type: c.bad.type ?? 'InvalidParameters', path: c.bad.path });
    },
  );

  it('replication and resource-update are policies with their parameters checked', () => {
    const catalog = loadBuiltinDefinitions();
    expect(Object.keys(catalog.policyDefinitions)).toEqual(
      expect.arrayContaining(['replication', 'resource-update']),
    );
    let caught: unknown;
    try {
      buildSnapshot({
        application: application(web([]), [
          { name: 'regions', type: 'replication', properties: { keys: ['Bei Jing'] } },
        ]),
        catalog,
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ type: 'InvalidParameters', path: 'spec.policies[0].properties.keys[0]' });
  });

  it('replication renders the selected components once per key with context.replicaKey, and waits for each copy', async () => {
    const builtins = loadBuiltinDefinitions();
    const replicated = structuredClone(builtins.componentDefinitions.worker) as ComponentDefinition;
    replicated.metadata.name = 'replica-worker';
    const schematic = replicated.spec.schematic.jsonata;
    if (!schematic) throw new Error('the built-in worker is a JSONata definition');
    schematic.template = `{
      "output": {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": context.name & "-" & context.replicaKey },
        "spec": { "template": { "spec": { "containers": [{ "name": context.name, "image": parameter.image }] } } }
      }
    }`;
    const app = parseDocument({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'edge', namespace: 'prod' },
      spec: {
        components: [
          { name: 'agent', type: 'replica-worker', properties: { image: 'agent:1' } },
          { name: 'api', type: 'webservice', properties: { image: 'api:1' } },
        ],
        policies: [
          {
            name: 'pools',
            type: 'replication',
            properties: { keys: ['beijing', 'hangzhou'], selector: ['agent'] },
          },
        ],
        workflow: { steps: [{ name: 'deploy-pools', type: 'deploy', properties: { policies: ['pools'] } }] },
      },
    }) as Application;
    const catalog = {
      ...builtins,
      componentDefinitions: { ...builtins.componentDefinitions, 'replica-worker': replicated },
    };
    const snapshot = buildSnapshot({ application: app, catalog });
    const [step] = await renderRevisionSteps(snapshot, 'edge-v1', [{ name: 'local', labels: {} }]);
    expect(
      step?.resources.map((r) => [
        r.object.metadata.name,
        r.object.metadata.labels?.['app.oam.dev/replicaKey'],
      ]),
    ).toEqual([
      ['agent-beijing', 'beijing'],
      ['agent-hangzhou', 'hangzhou'],
      ['api', undefined],
    ]);
    expect(step?.health.local?.map((h) => h.workload.name)).toEqual([
      'agent-beijing',
      'agent-hangzhou',
      'api',
    ]);
  });
});
