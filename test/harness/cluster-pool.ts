import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { provisionKubeBinaries } from '../../dev/kube-binaries.js';
import { startLocalClusters, type LocalCluster, type LocalClusters } from '../../dev/local-clusters.js';

/**
 * How fast pods of a cluster set become Ready. `fast` sets serve most tests; `slow` sets give a
 * test a rollout long enough to act during it (supersede, crash a worker, continue as new).
 */
export type RolloutSpeed = 'fast' | 'slow';

export const POD_READY_DELAY_MS: Readonly<Record<RolloutSpeed, number>> = { fast: 100, slow: 6000 };

/** One set of real clusters (`local`, `hangzhou1`, `hangzhou2`) that one test file leases at a time. */
export interface PooledClusterSet {
  readonly id: string;
  readonly speed: RolloutSpeed;
  /** Direct kubeconfig (no fault proxy), contexts named after the clusters. */
  readonly kubeconfigPath: string;
  readonly clustersPath: string;
  readonly binDir: string;
  readonly clusters: readonly LocalCluster[];
}

export interface ClusterPool {
  readonly sets: readonly PooledClusterSet[];
  /** Where test files take leases (one folder per leased set). */
  readonly leaseDir: string;
  stop(): Promise<void>;
}

/**
 * The real clusters of one test run, started once by the global setup: by default two fast sets
 * (one per parallel test file) and one slow set, nine kube-apiservers in all (about 5 GiB).
 * `REVELA_TEST_CLUSTER_SETS=fast,fast,slow` changes the mix.
 */
export async function startClusterPool(
  dir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClusterPool> {
  const binaries = await provisionKubeBinaries({ log: (l) => log(l) });
  const speeds = (env.REVELA_TEST_CLUSTER_SETS ?? 'fast,fast,slow')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is RolloutSpeed => s === 'fast' || s === 'slow');
  const leaseDir = join(dir, 'leases');
  await mkdir(leaseDir, { recursive: true });
  const running: LocalClusters[] = [];
  const sets: PooledClusterSet[] = [];
  const stop = async () => {
    await Promise.all(running.map((r) => r.delete()));
  };
  try {
    // One set at a time: kwokctl probes for free ports, so side-by-side creations pick the same ones.
    const byTwo: [number, RolloutSpeed][][] = [];
    speeds.forEach((speed, i) => {
      byTwo.push([]);
      byTwo.at(-1)?.push([i, speed]);
    });
    for (const pair of byTwo) {
      const started = await Promise.all(
        pair.map(async ([i, speed]) => {
          const id = `${speed}-${i}`;
          const t0 = Date.now();
          const set = await startLocalClusters({
            binaries,
            stateDir: join(dir, id),
            namePrefix: `t${process.pid}-${i}-`,
            podReadyDelayMs: POD_READY_DELAY_MS[speed],
            nodes: 1,
            log: () => undefined,
          });
          running.push(set);
          log(`cluster set ${id}: ${set.clusters.map((c) => c.name).join(', ')} up in ${Date.now() - t0} ms`);
          return { id, speed, set };
        }),
      );
      for (const { id, speed, set } of started) {
        sets.push({
          id,
          speed,
          kubeconfigPath: set.kubeconfigPath,
          clustersPath: set.clustersPath,
          binDir: set.binDir,
          clusters: set.clusters,
        });
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { sets, leaseDir, stop };
}
