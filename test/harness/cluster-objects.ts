import type { DeploymentView, TestClusters } from './test-clusters.js';

export type { DeploymentView } from './test-clusters.js';

/** The Deployment `namespace/name` on one of the stack's real clusters, if any. */
export function deploymentIn(
  clusters: TestClusters,
  cluster: string,
  namespace: string,
  name: string,
): Promise<DeploymentView | undefined> {
  return clusters.deployment(cluster, namespace, name);
}
