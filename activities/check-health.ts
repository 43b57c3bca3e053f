import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { componentHealth } from '../kube/component-health.js';
import type { ComponentHealth } from '../model/step-status.js';
import {
  ActivityFailureType,
  type CheckHealthInput,
  type HealthHeartbeat,
  type HealthTarget,
} from './types.js';

/**
 * How long one attempt keeps looking before it hands the wait to the retry policy, and how often
 * it looks meanwhile. A rollout on a responsive cluster is usually Ready within a second of the
 * apply: checking once and retrying after the policy's first interval (1 s) made every publish
 * wait that second in full (`kubectl rollout status`, which watches, does not). Short enough that
 * a cancelled run notices at its next heartbeat, which the worker sends at most
 * `HEALTH_HEARTBEAT_THROTTLE_MS` apart (worker/create-worker.ts).
 */
export const HEALTH_ATTEMPT_WINDOW_MS = 3000;
export const HEALTH_POLL_INTERVAL_MS = 100;
export const HEALTH_HEARTBEAT_THROTTLE_MS = 200;

function checkTarget(
  registry: ClusterRegistry,
  cluster: string,
  target: HealthTarget,
): Promise<ComponentHealth> {
  return componentHealth(registry.client(cluster), target);
}

async function checkOnce(registry: ClusterRegistry, input: CheckHealthInput): Promise<ComponentHealth[]> {
  const results: ComponentHealth[] = [];
  for (const target of input.targets) results.push(await checkTarget(registry, input.cluster, target));
  return results;
}

/** Why a check is not healthy, as its failure and its heartbeats say it. */
function notHealthy(cluster: string, results: ComponentHealth[]): HealthHeartbeat {
  const message = results
    .filter((h) => !h.healthy)
    .map((h) => `${h.cluster}/${h.namespace}/${h.component} is not healthy: ${h.message}`)
    .join('; ');
  return { message, details: { cluster, health: results } };
}

/** The running activity's context, or none when called outside an attempt (a unit test). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Checks whether a step's components are healthy on one cluster, looking again every
 * `HEALTH_POLL_INTERVAL_MS` for up to `HEALTH_ATTEMPT_WINDOW_MS`. When one is still not healthy,
 * it throws a retryable `NotHealthy` failure whose message says why
 * (`hangzhou1/examples/podinfo is not healthy: Ready:0/3`) — the retry policy turns this into the
 * longer wait, and the Temporal UI and `revela status` show the latest message while it lasts.
 * A cancellation (the run was superseded) ends the wait at the next look.
 */
export async function checkHealth(
  registry: ClusterRegistry,
  input: CheckHealthInput,
): Promise<ComponentHealth[]> {
  const ctx = activityContext();
  const deadline = Date.now() + HEALTH_ATTEMPT_WINDOW_MS;
  let results = await checkOnce(registry, input);
  while (ctx && results.some((h) => !h.healthy) && Date.now() + HEALTH_POLL_INTERVAL_MS < deadline) {
    ctx.heartbeat(notHealthy(input.cluster, results));
    await ctx.sleep(HEALTH_POLL_INTERVAL_MS);
    results = await checkOnce(registry, input);
  }
  if (results.some((h) => !h.healthy)) {
    const { message, details } = notHealthy(input.cluster, results);
    throw ApplicationFailure.create({
      type: ActivityFailureType.NotHealthy,
      message,
      nonRetryable: false,
      // Waiting is the normal case, not an error: logged at debug and kept out of failure metrics.
      category: ApplicationFailureCategory.BENIGN,
      details: [details],
    });
  }
  return results;
}
