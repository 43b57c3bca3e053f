import { delimiter, join } from 'node:path';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import type { ClusterClient, ListQuery } from '../../kube/cluster-client.js';
import type { KubeObject } from '../../model/kube-object.js';
import { LABEL_REVISION } from '../../model/labels.js';
import type { PooledClusterSet } from './cluster-pool.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

/** What tests check of a Deployment on a real cluster. */
export interface DeploymentView {
  readonly image: string | undefined;
  readonly replicas: number | undefined;
  readonly readyReplicas: number;
  readonly updatedReplicas: number;
  readonly revision: string | undefined;
  readonly uid: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A test stack's view of its leased cluster set: a fault proxy in front of each apiserver (the
 * worker goes through it), and direct clients that bypass the proxies, for assertions and for
 * changing cluster state the way a user with kubectl would.
 */
export class TestClusters {
  private constructor(
    readonly set: PooledClusterSet,
    private readonly proxies: ReadonlyMap<string, FaultProxy>,
    /** Direct access, no faults. */
    readonly direct: ClusterRegistry,
  ) {}

  static async start(set: PooledClusterSet): Promise<TestClusters> {
    const proxies = new Map<string, FaultProxy>();
    try {
      for (const c of set.clusters) {
        proxies.set(
          c.name,
          await startFaultProxy({
            target: c.server,
            targetCa: c.caPem,
            tls: { cert: c.servingCertPem, key: c.servingKeyPem },
          }),
        );
      }
    } catch (err) {
      await Promise.all([...proxies.values()].map((p) => p.stop()));
      throw err;
    }
    const direct = await ClusterRegistry.load({
      kubeconfigPath: set.kubeconfigPath,
      clustersPath: set.clustersPath,
    });
    return new TestClusters(set, proxies, direct);
  }

  /** Cluster names: `local`, `hangzhou1`, `hangzhou2`. */
  get names(): string[] {
    return this.set.clusters.map((c) => c.name);
  }

  /** The direct kubeconfig (contexts named after the clusters), for kubectl. */
  get kubeconfigPath(): string {
    return this.set.kubeconfigPath;
  }

  /** Environment for a kubectl of the clusters' own version against the direct kubeconfig. */
  kubectlEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KUBECONFIG: this.set.kubeconfigPath,
      PATH: `${this.set.binDir}${delimiter}${process.env.PATH ?? ''}`,
    };
  }

  /** Path of kubectl v1.34 built with the clusters. */
  get kubectl(): string {
    return join(this.set.binDir, 'kubectl');
  }

  /** The clusters as the worker sees them (proxy URLs), for its kubeconfig. */
  proxied(): { name: string; server: string; caPem: string; token: string }[] {
    return this.set.clusters.map((c) => ({
      name: c.name,
      server: this.faults(c.name).url,
      caPem: c.caPem,
      token: c.token,
    }));
  }

  /** The fault proxy in front of one cluster. */
  faults(cluster: string): FaultProxy {
    const proxy = this.proxies.get(cluster);
    if (!proxy) throw new Error(`no cluster "${cluster}" (have ${this.names.join(', ')})`);
    return proxy;
  }

  /** Clears the faults of one cluster, or of all. */
  async clearFaults(cluster?: string): Promise<void> {
    for (const [name, proxy] of this.proxies)
      if (cluster === undefined || cluster === name) await proxy.clear();
  }

  /** A direct client (no proxy) of one cluster. */
  client(cluster: string): ClusterClient {
    return this.direct.client(cluster);
  }

  list(cluster: string, query: ListQuery): Promise<KubeObject[]> {
    return this.client(cluster).list(query);
  }

  /** The Deployment `namespace/name` on `cluster`, read from its apiserver; undefined when absent. */
  async deployment(cluster: string, namespace: string, name: string): Promise<DeploymentView | undefined> {
    const found = (await this.client(cluster).read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name,
    })) as DeploymentShape | undefined;
    if (!found) return undefined;
    return {
      image: found.spec?.template?.spec?.containers?.[0]?.image,
      replicas: found.spec?.replicas,
      readyReplicas: found.status?.readyReplicas ?? 0,
      updatedReplicas: found.status?.updatedReplicas ?? 0,
      revision: found.metadata.labels?.[LABEL_REVISION],
      uid: found.metadata.uid,
      labels: found.metadata.labels ?? {},
    };
  }

  /** Every Deployment on `cluster` (all namespaces). */
  async deployments(cluster: string): Promise<KubeObject[]> {
    return this.client(cluster).list({ apiVersion: 'apps/v1', kind: 'Deployment' });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
  }
}

interface DeploymentShape {
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { readyReplicas?: number; updatedReplicas?: number };
}
