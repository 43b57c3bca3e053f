import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { LOCAL_CLUSTER } from '../../model/cluster-info.js';
import { applicationWorkflowId } from '../../model/ids.js';
import type { KubeObject } from '../../model/kube-object.js';
import { LABEL_APP_NAME, LABEL_APP_NAMESPACE, LABEL_COMPONENT } from '../../model/labels.js';
import { placedClient } from '../placed-cluster.js';
import { withoutManagedFields } from './kube-steps.js';
import { notReady, permanent, StepFailureType } from './step-failures.js';
import type { BuiltinStepInput, BuiltinStepResult } from './types.js';

/*
 * Steps that wait for something outside the run. Each call checks once and throws a retryable
 * `NotReady` with what it saw; the workflow calls them with the health wait's retry policy, so the
 * wait costs no history and the step's timeout bounds it.
 */

/** apply-deployment: the Deployment the step applied has its replicas ready. */
export async function deploymentReady(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const p = input.parameters as { replicas: number; cluster: string };
  const cluster = p.cluster === '' ? LOCAL_CLUSTER : p.cluster;
  const name = input.context.stepName;
  const live = await placedClient(registry, cluster, input.context.revision).read(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: input.context.namespace, name },
    { signal: Context.current().cancellationSignal },
  );
  if (!live) throw notReady(`Deployment ${input.context.namespace}/${name} is not on cluster ${cluster} yet`);
  const status = (live.status ?? {}) as { readyReplicas?: number; observedGeneration?: number };
  const generation = (live.metadata as { generation?: number }).generation ?? 0;
  const ready = status.readyReplicas ?? 0;
  if ((status.observedGeneration ?? 0) < generation || ready !== p.replicas) {
    throw notReady(
      `Deployment ${input.context.namespace}/${name} on ${cluster}: Ready ${ready}/${p.replicas}`,
    );
  }
  return {
    scope: { parameter: p, output: { value: withoutManagedFields(live) } },
    message: `Ready ${ready}/${p.replicas}`,
  };
}

/**
 * depends-on-app: KubeVela waits until the other Application exists and its status is `running`.
 * Revela's applications are entities in Temporal: ask the entity for its phase.
 */
export async function dependsOnApp(temporal: Client, input: BuiltinStepInput): Promise<BuiltinStepResult> {
  const p = input.parameters as { name: string; namespace: string };
  const what = `application ${p.namespace}/${p.name}`;
  let status: { phase?: string; currentRevision?: { name?: string; status?: string } };
  try {
    status = await temporal.workflow.getHandle(applicationWorkflowId(p.namespace, p.name)).query('status');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notReady(`${what} does not exist yet: publish it`);
    throw err;
  }
  if (status.phase !== 'running') {
    throw notReady(`${what} is ${status.phase ?? 'unknown'}, waiting until it is running`);
  }
  return {
    scope: { parameter: p, dependsOn: { value: status } },
    message: `${what} is running (${status.currentRevision?.name ?? 'no revision'})`,
  };
}

interface Endpoint {
  cluster: string;
  component: string;
  ref: { kind: string; namespace: string; name: string };
  endpoint: { host: string; port: number; portName?: string; protocol: string; inner: boolean };
}

function endpointsOf(cluster: string, service: KubeObject): Endpoint[] {
  const spec = (service.spec ?? {}) as {
    type?: string;
    ports?: { port: number; name?: string; protocol?: string }[];
  };
  const ingress = ((
    service.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined
  )?.loadBalancer?.ingress ?? [])[0];
  const namespace = service.metadata.namespace ?? 'default';
  const outerHost = ingress?.ip ?? ingress?.hostname;
  return (spec.ports ?? []).map((port) => ({
    cluster,
    component: service.metadata.labels?.[LABEL_COMPONENT] ?? '',
    ref: { kind: 'Service', namespace, name: service.metadata.name },
    endpoint: {
      host: spec.type === 'LoadBalancer' && outerHost ? outerHost : `${service.metadata.name}.${namespace}`,
      port: port.port,
      ...(port.name !== undefined ? { portName: port.name } : {}),
      protocol: port.protocol ?? 'TCP',
      inner: !(spec.type === 'LoadBalancer' && outerHost),
    },
  }));
}

/** collect-service-endpoints: the Services an application's components expose, on every cluster. */
export async function collectServiceEndpoints(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const p = input.parameters as {
    name?: string;
    namespace?: string;
    components?: string[];
    port?: number;
    portName?: string;
    outer?: boolean;
    protocal: string;
  };
  const name = p.name ?? input.context.appName;
  const namespace = p.namespace ?? input.context.namespace;
  const signal = Context.current().cancellationSignal;
  let endpoints: Endpoint[] = [];
  for (const cluster of registry
    .list()
    .map((c) => c.name)
    .sort()) {
    const services = await registry.client(cluster).list({
      apiVersion: 'v1',
      kind: 'Service',
      labelSelector: { [LABEL_APP_NAME]: name, [LABEL_APP_NAMESPACE]: namespace },
      signal,
    });
    endpoints.push(...services.flatMap((s) => endpointsOf(cluster, s)));
  }
  if (p.components) endpoints = endpoints.filter((e) => p.components?.includes(e.component));
  if (p.portName !== undefined) endpoints = endpoints.filter((e) => e.endpoint.portName === p.portName);
  if (p.port !== undefined) endpoints = endpoints.filter((e) => e.endpoint.port === p.port);
  if (p.outer === true) endpoints = endpoints.filter((e) => !e.endpoint.inner);
  const first = endpoints[0];
  if (!first) throw notReady(`no service endpoint of application ${namespace}/${name} matches yet`);
  const url = `${p.protocal}://${first.endpoint.host}:${first.endpoint.port}`;
  return {
    scope: { parameter: p, value: { endpoints, endpoint: first.endpoint, url }, outputs: { endpoints } },
    message: url,
  };
}

/** check-metrics: Revela has no metrics source to query (see docs/workflow-steps.md). */
export function checkMetrics(input: BuiltinStepInput): Promise<BuiltinStepResult> {
  const p = input.parameters as { metricEndpoint?: string; query: string };
  return Promise.reject(
    permanent(
      StepFailureType.NoMetricsSource,
      `check-metrics: no metrics source configured — this Revela worker cannot evaluate "${p.query}"${p.metricEndpoint ? ` against ${p.metricEndpoint}` : ''} yet; remove the step or guard it with a suspend for manual checks`,
    ),
  );
}
