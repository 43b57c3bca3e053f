/**
 * A deploy target as placement sees it: a name and the labels `topology.clusterLabelSelector`
 * matches. The registry in `kube/` adds the connection details.
 */
export interface ClusterInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The cluster used when a topology policy names none, as KubeVela's `local`. */
export const LOCAL_CLUSTER = 'local';
