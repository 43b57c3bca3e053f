import { applyResource } from '../../activities/apply-resource.js';
import { checkHealth } from '../../activities/check-health.js';
import type { ApplyResourceInput, CheckHealthInput } from '../../activities/types.js';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';

/**
 * Activities of the baseline workflows: `noop` does nothing, so only Temporal's own cost remains;
 * `applyResource` and `checkHealth` are Revela's own cluster activities (server-side apply, the
 * health wait), so a baseline publish does the same real rollout as a Revela publish.
 */
export function baselineActivities(registry: ClusterRegistry) {
  return {
    noop(_label: string): Promise<void> {
      return Promise.resolve();
    },
    applyResource: (input: ApplyResourceInput) => applyResource(registry, input),
    checkHealth: (input: CheckHealthInput) => checkHealth(registry, input),
  };
}
