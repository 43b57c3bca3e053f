import { stringify } from 'yaml';

/**
 * The files a client needs to reach the simulator: a kubeconfig with one context per cluster
 * (plain `http://`, which both kubectl and `@kubernetes/client-node` accept only with
 * `insecure-skip-tls-verify`) and Revela's `clusters.yaml` carrying the cluster labels.
 */

export interface ClusterEndpoint {
  readonly name: string;
  readonly url: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The simulator accepts any credentials; the token only keeps clients that insist on one happy. */
const SIM_USER = 'revela-sim';

export function kubeconfigText(
  clusters: readonly ClusterEndpoint[],
  currentContext = clusters[0]?.name ?? '',
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': currentContext,
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.url, 'insecure-skip-tls-verify': true },
    })),
    users: [{ name: SIM_USER, user: { token: 'revela-sim' } }],
    contexts: clusters.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: SIM_USER, namespace: 'default' },
    })),
    preferences: {},
  });
}

export function clustersFileText(clusters: readonly ClusterEndpoint[]): string {
  const body = stringify({
    clusters: clusters.map((c) => {
      const entry: Record<string, unknown> = { name: c.name, context: c.name };
      if (Object.keys(c.labels).length > 0) entry.labels = { ...c.labels };
      return entry;
    }),
  });
  return `# Cluster registry written by the Revela simulator: kubeconfig context names and their labels.\n${body}`;
}
