import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import type { ClusterInfo } from '../../model/cluster-info.js';
import { prepareBuiltinStep } from '../../model/builtin-step-prepare.js';
import { KUBEVELA_STEP_TYPES } from '../../model/builtin-steps.js';
import { toDiffYaml } from '../../model/diff.js';
import { parseDocument } from '../../model/document.js';
import { isRevelaError } from '../../model/errors.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { expectGolden } from './helpers/golden.js';

/** One built-in step: what a KubeVela user writes, and a mistake with the error it gets. */
interface Case {
  type: string;
  properties: Record<string, unknown>;
  bad: { properties: Record<string, unknown>; message: string };
}

const CLUSTERS: ClusterInfo[] = [
  { name: 'local', labels: {} },
  { name: 'hangzhou1', labels: { region: 'hangzhou' } },
  { name: 'hangzhou2', labels: { region: 'hangzhou' } },
];

const at = (path: string, reason: string) =>
  `Application prod/shop: spec.workflow.steps[1].properties${path}: ${reason}`;

const CASES: Case[] = [
  {
    type: 'apply-object',
    properties: {
      value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
    },
    bad: {
      properties: { value: { apiVersion: 'v1', kind: 'ConfigMap' } },
      message: at('.value.metadata', 'is required'),
    },
  },
  {
    type: 'read-object',
    properties: { name: 'shop' },
    bad: { properties: { name: 'x', kind: 3 }, message: at('.kind', 'must be string') },
  },
  {
    type: 'notification',
    properties: {
      slack: { url: { value: 'https://hooks.slack.com/services/x' }, message: { text: 'deployed' } },
      dingding: {
        url: { secretRef: { name: 'ding', key: 'url' } },
        message: { text: { content: 'deployed' } },
      },
      lark: {
        url: { value: 'https://open.feishu.cn/x' },
        message: { msg_type: 'text', content: '{"text":"ok"}' },
      },
    },
    bad: {
      properties: { slack: { url: { value: 'https://x' } } },
      message: at('.slack.message', 'is required'),
    },
  },
  {
    type: 'webhook',
    properties: { url: { value: 'https://example.com/hook' }, data: { deployed: true } },
    bad: {
      properties: { url: 'https://example.com/hook' },
      message: at('.url', 'must be object (and 2 more problems)'),
    },
  },
  {
    type: 'request',
    properties: { url: 'https://example.com/api', body: { q: 1 }, header: { 'X-Team': 'shop' } },
    bad: { properties: { url: 42 }, message: at('.url', 'must be string') },
  },
  {
    type: 'print-message-in-status',
    properties: { message: 'hello' },
    bad: { properties: {}, message: at('.message', 'is required') },
  },
  {
    type: 'export2config',
    properties: { configName: 'shop-config', data: { url: 'http://shop', port: 80 } },
    bad: { properties: { data: {} }, message: at('.configName', 'is required') },
  },
  {
    type: 'export2secret',
    properties: {
      secretName: 'pull',
      kind: 'docker-registry',
      dockerRegistry: { username: 'u', password: 'p' },
    },
    bad: {
      properties: { secretName: 's', kind: 'tls' },
      message: at('.kind', 'must be one of "generic", "docker-registry"'),
    },
  },
  {
    type: 'export-data',
    properties: { data: { endpoint: 'http://shop.prod' }, topology: 'hangzhou' },
    bad: {
      properties: { data: {}, kind: 'Pod' },
      message: at('.kind', 'must be one of "ConfigMap", "Secret"'),
    },
  },
  {
    type: 'export-service',
    properties: { ip: '10.0.0.12', port: 80, targetPort: 8080, topology: 'hangzhou' },
    bad: {
      properties: { ip: '10.0.0.12', port: 80, targetPort: 'http' },
      message: at('.targetPort', 'must be integer'),
    },
  },
  {
    type: 'depends-on-app',
    properties: { name: 'db', namespace: 'prod' },
    bad: { properties: { name: 'db' }, message: at('.namespace', 'is required') },
  },
  {
    type: 'apply-deployment',
    properties: { image: 'busybox:1.36', cmd: ['sleep', '3600'] },
    bad: { properties: { image: 'busybox', replicas: -1 }, message: at('.replicas', 'must be >= 0') },
  },
  {
    type: 'collect-service-endpoints',
    properties: { components: ['web'], portName: 'http' },
    bad: { properties: { protocal: 'ftp' }, message: at('.protocal', 'must be one of "http", "https"') },
  },
  {
    type: 'check-metrics',
    properties: { query: 'sum(rate(http_requests_total[1m]))', condition: '>=0.95' },
    bad: { properties: { query: 'up' }, message: at('.condition', 'is required') },
  },
  {
    type: 'clean-jobs',
    properties: { labelselector: { 'job-kind': 'migration' } },
    bad: { properties: { labelselector: { n: 1 } }, message: at('.labelselector.n', 'must be string') },
  },
  {
    type: 'restart-workflow',
    properties: { after: '10m' },
    bad: {
      properties: { after: '10 minutes' },
      message: at('.after', 'must match pattern "^[0-9]+(s|m|h|d)$"'),
    },
  },
];

function application(type: string, properties: Record<string, unknown>): Application {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'prod' },
    spec: {
      components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.25' } }],
      policies: [
        { name: 'hangzhou', type: 'topology', properties: { clusterLabelSelector: { region: 'hangzhou' } } },
      ],
      workflow: {
        steps: [
          { name: 'deploy-web', type: 'apply-component', properties: { component: 'web' } },
          { name: `my-${type}`, type, properties },
        ],
      },
    },
  }) as Application;
}

function prepared(c: Pick<Case, 'type' | 'properties'>) {
  const snapshot = buildSnapshot({
    application: application(c.type, c.properties),
    catalog: loadBuiltinDefinitions(),
  });
  return prepareBuiltinStep(
    { snapshot, revision: 'shop-v1', step: { name: `my-${c.type}`, type: c.type, properties: c.properties } },
    CLUSTERS,
  );
}

describe("KubeVela's built-in workflow steps", () => {
  it('has a case for every built-in step type', () => {
    expect(CASES.map((c) => c.type).sort()).toEqual([...KUBEVELA_STEP_TYPES].sort());
  });

  it.each(CASES.map((c) => [c.type, c] as const))(
    '%s: parameters with defaults and the objects it writes match its golden file',
    (type, c) => {
      const { parameters, objects } = prepared(c);
      expectGolden(`kubevela-steps/${type}.yaml`, toDiffYaml({ parameters, objects }));
    },
  );

  it.each(CASES.map((c) => [c.type, c] as const))(
    '%s: a bad parameter is refused at publish with object and path',
    (_type, c) => {
      let caught: unknown;
      try {
        prepared({ type: c.type, properties: c.bad.properties });
      } catch (e) {
        caught = e;
      }
      expect(isRevelaError(caught), String(caught)).toBe(true);
      expect(caught).toMatchObject({ type: 'InvalidParameters', message: c.bad.message });
    },
  );
});
