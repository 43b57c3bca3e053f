import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFor } from '../../dev/local-clusters.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { leaseClusterSet } from './cluster-lease.js';
import type { RolloutSpeed } from './cluster-pool.js';
import { TestClusters } from './test-clusters.js';

export interface KubeFixture {
  readonly clusters: TestClusters;
  /** The clusters through their fault proxies, as a worker reaches them. */
  readonly registry: ClusterRegistry;
  /** Kubeconfig of the proxied clusters (contexts named after the clusters). */
  readonly kubeconfigPath: string;
  readonly clustersPath: string;
  stop(): Promise<void>;
}

/**
 * A leased set of the run's real clusters with a fault proxy in front of each apiserver: the
 * part of a test stack that `kube/` tests need without Temporal.
 */
export async function startKubeFixture(
  options: { rollout?: RolloutSpeed; requestTimeoutMs?: number } = {},
): Promise<KubeFixture> {
  const lease = await leaseClusterSet(options.rollout ?? 'fast');
  let clusters: TestClusters | undefined;
  let dir: string | undefined;
  try {
    clusters = await TestClusters.start(lease.set);
    dir = await mkdtemp(join(tmpdir(), 'revela-kube-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigFor(clusters.proxied()), { mode: 0o600 });
    const registry = await ClusterRegistry.load({
      kubeconfigPath,
      clustersPath: lease.set.clustersPath,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
    const owned = { clusters, dir };
    return {
      clusters,
      registry,
      kubeconfigPath,
      clustersPath: lease.set.clustersPath,
      async stop() {
        await owned.clusters.stop();
        await rm(owned.dir, { recursive: true, force: true });
        await lease.release();
      },
    };
  } catch (err) {
    await clusters?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    await lease.release();
    throw err;
  }
}
