import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { checkObjectHealth } from '../kube/health.js';
import { evaluateComponentStatus } from '../model/health.js';
import type { ComponentDefinition } from '../model/definition.js';
import type { KubeObject } from '../model/kube-object.js';
import type { ComponentHealth } from '../model/step-status.js';
import {
  ActivityFailureType,
  type CheckHealthInput,
  type HealthTarget,
  type NotHealthyDetails,
} from './types.js';

async function checkTarget(
  registry: ClusterRegistry,
  cluster: string,
  target: HealthTarget,
): Promise<ComponentHealth> {
  const client = registry.client(cluster);
  const workload = await client.read(target.workload);
  const outputs: Record<string, KubeObject | undefined> = {};
  for (const ref of target.outputs) outputs[`${ref.kind}/${ref.name}`] = await client.read(ref);

  const rollout = await checkObjectHealth(workload);
  let healthy = rollout.healthy;
  let message = rollout.message;
  if (target.healthPolicy !== undefined || target.customStatus !== undefined) {
    // The definition's own policy and message (e.g. webservice's `Ready:0/3`) are what users
    // know from KubeVela; the rollout rules above still have to hold.
    const definition = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'ComponentDefinition',
      metadata: { name: target.type },
      spec: { status: { healthPolicy: target.healthPolicy, customStatus: target.customStatus } },
    } as unknown as ComponentDefinition;
    const custom = await evaluateComponentStatus(definition, {
      output: workload,
      outputs,
      parameter: target.parameter,
    });
    healthy = healthy && custom.healthy;
    if (custom.message) message = custom.message;
  }
  return {
    cluster,
    namespace: target.namespace,
    component: target.component,
    type: target.type,
    healthy,
    message,
    traits: target.traits,
  };
}

/**
 * Checks once whether a step's components are healthy on one cluster. When one is not, it throws
 * a retryable `NotHealthy` failure whose message says why (`hangzhou1/examples/podinfo is not
 * healthy: Ready:0/3`) — the retry policy turns this into the wait, and the Temporal UI and
 * `revela status` show the latest message while it lasts.
 */
export async function checkHealth(
  registry: ClusterRegistry,
  input: CheckHealthInput,
): Promise<ComponentHealth[]> {
  const results: ComponentHealth[] = [];
  for (const target of input.targets) results.push(await checkTarget(registry, input.cluster, target));
  const unhealthy = results.filter((h) => !h.healthy);
  if (unhealthy.length > 0) {
    const details: NotHealthyDetails = { cluster: input.cluster, health: results };
    throw ApplicationFailure.create({
      type: ActivityFailureType.NotHealthy,
      message: unhealthy
        .map((h) => `${h.cluster}/${h.namespace}/${h.component} is not healthy: ${h.message}`)
        .join('; '),
      nonRetryable: false,
      // Waiting is the normal case, not an error: logged at debug and kept out of failure metrics.
      category: ApplicationFailureCategory.BENIGN,
      details: [details],
    });
  }
  return results;
}
