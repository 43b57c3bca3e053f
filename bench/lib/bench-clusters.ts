import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionKubeBinaries } from '../../dev/kube-binaries.js';
import { startLocalClusters, type LocalClusterSpec, type LocalClusters } from '../../dev/local-clusters.js';

/** Fresh real clusters for one benchmark run, removed afterwards. */
export async function startBenchClusters(
  clusters: readonly LocalClusterSpec[],
  options: { podReadyDelayMs?: number } = {},
): Promise<LocalClusters & { dispose(): Promise<void> }> {
  const binaries = await provisionKubeBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'revela-bench-clusters-'));
  const set = await startLocalClusters({
    binaries,
    stateDir: dir,
    clusters,
    namePrefix: `bench${process.pid}-`,
    podReadyDelayMs: options.podReadyDelayMs ?? 0,
    log: (line) => console.error(line),
  });
  return {
    ...set,
    async dispose() {
      await set.delete();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
