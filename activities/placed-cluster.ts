import type { ClusterClient } from '../kube/cluster-client.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { ClusterInfo } from '../model/cluster-info.js';
import { UnknownClusterError } from '../model/errors.js';
import type { RevisionSnapshot } from '../model/snapshot.js';

/**
 * The clusters a snapshot renders against: those frozen in it at publish, or — for a snapshot
 * published before placement was frozen — the registry's.
 */
export function placementClusters(
  snapshot: Pick<RevisionSnapshot, 'clusters'>,
  registry: ClusterRegistry,
): readonly ClusterInfo[] {
  return snapshot.clusters ?? registry.list();
}

/**
 * The client of a cluster a revision was published for. A cluster that left the registry since
 * fails the step with what happened and what to do, instead of the revision moving elsewhere.
 *
 * @throws UnknownClusterError (permanent)
 */
export function placedClient(registry: ClusterRegistry, cluster: string, revision: string): ClusterClient {
  const known = registry.list().map((c) => c.name);
  if (!known.includes(cluster)) {
    throw new UnknownClusterError(cluster, known, {
      object: `revision ${revision}`,
      note: `— ${revision} was published to deploy to "${cluster}", which is no longer registered; placement is frozen at publish: register the cluster again, or publish a new version`,
    });
  }
  return registry.client(cluster);
}
