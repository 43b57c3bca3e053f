import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { componentHealth } from '../kube/component-health.js';
import type { ComponentHealth } from '../model/step-status.js';
import {
  ActivityFailureType,
  type CheckHealthInput,
  type HealthTarget,
  type NotHealthyDetails,
} from './types.js';

function checkTarget(
  registry: ClusterRegistry,
  cluster: string,
  target: HealthTarget,
): Promise<ComponentHealth> {
  return componentHealth(registry.client(cluster), target);
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
