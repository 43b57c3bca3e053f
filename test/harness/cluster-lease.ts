import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import type { PooledClusterSet, RolloutSpeed } from './cluster-pool.js';

/** Namespaces a fresh cluster has; everything else was made by a test. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Kinds a test may leave in `default`, cleared between leases. */
const DEFAULT_NAMESPACE_KINDS: readonly { apiVersion: string; kind: string; keep?: string }[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'v1', kind: 'Service', keep: 'kubernetes' },
  { apiVersion: 'v1', kind: 'ConfigMap', keep: 'kube-root-ca.crt' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
];

export interface ClusterLease {
  readonly set: PooledClusterSet;
  release(): Promise<void>;
}

/**
 * Takes one cluster set of the run's pool for this test file (a folder per set is the lock, so
 * parallel test files in other processes never share one), and clears what earlier holders left:
 * every non-system namespace, and Revela's and tests' objects in `default`.
 */
export async function leaseClusterSet(speed: RolloutSpeed, timeoutMs = 15 * 60_000): Promise<ClusterLease> {
  const sets = inject('clusterSets').filter((s) => s.speed === speed);
  if (sets.length === 0) throw new Error(`the test run started no "${speed}" cluster set`);
  const leaseDir = inject('clusterLeaseDir');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const set of sets) {
      const lock = join(leaseDir, set.id);
      try {
        await mkdir(lock);
      } catch {
        continue;
      }
      try {
        await clearClusterSet(set);
      } catch (err) {
        await rm(lock, { recursive: true, force: true });
        throw err;
      }
      return { set, release: () => rm(lock, { recursive: true, force: true }) };
    }
    if (Date.now() > deadline)
      throw new Error(
        `no "${speed}" cluster set was free within ${timeoutMs} ms (sets: ${sets.map((s) => s.id).join(', ')})`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function clearClusterSet(set: PooledClusterSet): Promise<void> {
  const registry = await ClusterRegistry.load({
    kubeconfigPath: set.kubeconfigPath,
    clustersPath: set.clustersPath,
  });
  await Promise.all(
    registry.list().map(async ({ name }) => {
      const client = registry.client(name);
      const namespaces = await client.list({ apiVersion: 'v1', kind: 'Namespace' });
      const doomed = namespaces.map((n) => n.metadata.name).filter((n) => !SYSTEM_NAMESPACES.has(n));
      await Promise.all(doomed.map((n) => client.delete({ apiVersion: 'v1', kind: 'Namespace', name: n })));
      for (const type of DEFAULT_NAMESPACE_KINDS) {
        const objects = await client.list({ ...type, namespace: 'default' });
        await Promise.all(
          objects
            .filter((o) => o.metadata.name !== type.keep && !isServiceAccountToken(o))
            .map((o) =>
              client.delete(
                { ...type, namespace: 'default', name: o.metadata.name },
                { propagationPolicy: 'Background' },
              ),
            ),
        );
      }
      // A namespace being deleted refuses new objects: wait until the namespace controller is done.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left = (await client.list({ apiVersion: 'v1', kind: 'Namespace' }))
          .map((n) => n.metadata.name)
          .filter((n) => doomed.includes(n));
        if (left.length === 0) break;
        if (Date.now() > deadline)
          throw new Error(
            `cluster ${name} of set ${set.id}: namespaces ${left.join(', ')} still terminating after 120 s`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
}

function isServiceAccountToken(o: object): boolean {
  return (o as { type?: unknown }).type === 'kubernetes.io/service-account-token';
}
