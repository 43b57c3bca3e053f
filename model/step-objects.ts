/**
 * The objects the object-writing built-in steps apply, rendered from their (validated, defaulted)
 * parameters: apply-object, apply-deployment, export2config, export2secret, export-data,
 * export-service. Every object carries its application's ownership labels, so the apply path
 * checks ownership and garbage collection can find it.
 *
 * Workflow-safe (pure), though Revela renders these in an activity beside the parameter check.
 */
import { sortKeysDeep } from './canonical-json.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import type { KubeObject } from './kube-object.js';
import { LABEL_APP_NAME, LABEL_APP_NAMESPACE, LABEL_APP_REVISION, LABEL_REVISION } from './labels.js';
import { CLUSTER_SCOPED_KINDS } from './render-object.js';
import { LABEL_STEP_NAME, LABEL_WORKFLOW_NAME, type BuiltinStepContext } from './builtin-steps.js';

/** One object for one cluster. */
export interface StepObject {
  readonly cluster: string;
  readonly object: KubeObject;
}

type Params = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Kubernetes wants string values in ConfigMap data and Secret stringData; KubeVela users write numbers too. */
function stringValues(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** UTF-8 safe base64, without Node's Buffer (this module is workflow-safe). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The ownership labels (and namespace, for namespaced kinds) every step object carries. */
export function finishStepObject(object: KubeObject, ctx: BuiltinStepContext): KubeObject {
  const metadata: KubeObject['metadata'] = { ...object.metadata };
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) delete metadata.namespace;
  else metadata.namespace ??= ctx.namespace;
  metadata.labels = {
    ...(metadata.labels ?? {}),
    [LABEL_APP_NAME]: ctx.appName,
    [LABEL_APP_NAMESPACE]: ctx.namespace,
    [LABEL_APP_REVISION]: ctx.revision,
    [LABEL_REVISION]: ctx.revision,
    [LABEL_STEP_NAME]: ctx.stepName,
    [LABEL_WORKFLOW_NAME]: ctx.appName,
  };
  return sortKeysDeep({ ...object, metadata });
}

function deployment(p: Params, ctx: BuiltinStepContext): KubeObject {
  const selector = { [LABEL_STEP_NAME]: `${ctx.appName}-${ctx.stepName}` };
  const container: Record<string, unknown> = { name: ctx.stepName, image: p.image };
  if (Array.isArray(p.cmd)) container.command = p.cmd;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ctx.stepName, namespace: ctx.namespace },
    spec: {
      selector: { matchLabels: selector },
      replicas: p.replicas,
      template: { metadata: { labels: selector }, spec: { containers: [container] } },
    },
  };
}

function secret(p: Params, ctx: BuiltinStepContext): KubeObject {
  let data = stringValues(p.data);
  let type = str(p.type);
  const registry = p.dockerRegistry as { username: string; password: string; server: string } | undefined;
  if (p.kind === 'docker-registry' && registry) {
    const auths = {
      [registry.server]: {
        username: registry.username,
        password: registry.password,
        auth: base64(`${registry.username}:${registry.password}`),
      },
    };
    data = { '.dockerconfigjson': JSON.stringify({ auths }) };
  }
  if (type === undefined && p.kind === 'docker-registry') type = 'kubernetes.io/dockerconfigjson';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: String(p.secretName), namespace: str(p.namespace) ?? ctx.namespace },
    ...(type !== undefined ? { type } : {}),
    stringData: data,
  };
}

function exported(p: Params, ctx: BuiltinStepContext): KubeObject {
  const metadata = { name: str(p.name) ?? ctx.appName, namespace: str(p.namespace) ?? ctx.namespace };
  return p.kind === 'Secret'
    ? { apiVersion: 'v1', kind: 'Secret', metadata, stringData: stringValues(p.data) }
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: stringValues(p.data) };
}

function service(p: Params, ctx: BuiltinStepContext): KubeObject[] {
  const metadata = { name: str(p.name) ?? ctx.appName, namespace: str(p.namespace) ?? ctx.namespace };
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { type: 'ClusterIP', ports: [{ protocol: 'TCP', port: p.port, targetPort: p.targetPort }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata,
      subsets: [{ addresses: [{ ip: p.ip }], ports: [{ port: p.targetPort }] }],
    },
  ];
}

/**
 * The objects of one object-writing step, per cluster. `clusters` are the step's placement: for
 * export-data and export-service the clusters of their topology policy (the local cluster
 * without one); for the others the `cluster` parameter (the local cluster when empty).
 */
export function renderStepObjects(
  type: string,
  parameters: Params,
  ctx: BuiltinStepContext,
  clusters: readonly string[] = [],
): StepObject[] {
  const single = str(parameters.cluster) ?? LOCAL_CLUSTER;
  const placed = clusters.length > 0 ? clusters : [LOCAL_CLUSTER];
  const one = (object: KubeObject): StepObject[] => [
    { cluster: single, object: finishStepObject(object, ctx) },
  ];
  const each = (objects: KubeObject[]): StepObject[] =>
    placed.flatMap((cluster) => objects.map((o) => ({ cluster, object: finishStepObject(o, ctx) })));
  switch (type) {
    case 'apply-object':
      return one(parameters.value as KubeObject);
    case 'apply-deployment':
      return one(deployment(parameters, ctx));
    case 'export2config':
      return one({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: String(parameters.configName),
          namespace: str(parameters.namespace) ?? ctx.namespace,
        },
        data: stringValues(parameters.data),
      });
    case 'export2secret':
      return one(secret(parameters, ctx));
    case 'export-data':
      return each([exported(parameters, ctx)]);
    case 'export-service':
      return each(service(parameters, ctx));
    default:
      return [];
  }
}
