import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LOCAL_CLUSTER, type ClusterInfo } from '../model/cluster-info.js';
import { ClusterClient, type ClusterClientOptions } from './cluster-client.js';
import { ClusterConfigError, UnknownClusterError } from './errors.js';

export interface ClusterRegistryOptions extends ClusterClientOptions {
  /** Kubeconfig file. @default $KUBECONFIG (may list several files), else ~/.kube/config, else the in-cluster service account */
  readonly kubeconfigPath?: string;
  /** Kubeconfig content; wins over `kubeconfigPath`. */
  readonly kubeconfigText?: string;
  /** clusters.yaml: which contexts are clusters, under which names and labels. @default every context is a cluster, without labels */
  readonly clustersPath?: string;
}

/** One entry of clusters.yaml. */
export const ClusterEntrySchema = z.object({
  name: z.string().min(1),
  /** @default the cluster name */
  context: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const ClustersFileSchema = z.object({ clusters: z.array(ClusterEntrySchema) });

export type ClustersFile = z.infer<typeof ClustersFileSchema>;

interface RegisteredCluster {
  readonly info: ClusterInfo;
  readonly kubeConfig: KubeConfig;
  readonly server: string;
}

function loadKubeConfig(options: ClusterRegistryOptions): {
  kc: KubeConfig;
  source: string;
  inCluster: boolean;
} {
  const kc = new KubeConfig();
  const attempt = (
    source: string,
    load: () => void,
  ): { kc: KubeConfig; source: string; inCluster: boolean } => {
    try {
      load();
    } catch (err) {
      throw new ClusterConfigError(`cannot load kubeconfig ${source}: ${(err as Error).message}`, source, {
        cause: err,
      });
    }
    return { kc, source, inCluster: false };
  };
  if (options.kubeconfigText !== undefined)
    return attempt('(from text)', () => kc.loadFromString(options.kubeconfigText ?? ''));
  if (options.kubeconfigPath !== undefined) {
    const path = options.kubeconfigPath;
    if (!existsSync(path)) throw new ClusterConfigError(`kubeconfig ${path} does not exist`, path);
    return attempt(path, () => kc.loadFromFile(path));
  }
  const env = process.env.KUBECONFIG;
  if (env) {
    const missing = env.split(':').filter((p) => p && !existsSync(p));
    if (missing.length === env.split(':').filter((p) => p).length) {
      throw new ClusterConfigError(`KUBECONFIG=${env} names no existing file`, env);
    }
    return attempt(`$KUBECONFIG (${env})`, () => kc.loadFromDefault());
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return attempt(home, () => kc.loadFromFile(home));
  if (process.env.KUBERNETES_SERVICE_HOST) {
    attempt('(in-cluster service account)', () => kc.loadFromCluster());
    return { kc, source: '(in-cluster service account)', inCluster: true };
  }
  throw new ClusterConfigError(
    'no kubeconfig found: set KUBECONFIG or pass a kubeconfig path; for local development start the dev stack with `npm start` and use KUBECONFIG=.revela/kubeconfig',
  );
}

/** Reads and validates a clusters.yaml (`clusters: [{name, context, labels}]`). */
export async function loadClustersFile(path: string): Promise<ClustersFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ClusterConfigError(`cannot read clusters file ${path}: ${(err as Error).message}`, path, {
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ClusterConfigError(`clusters file ${path} is not valid YAML: ${(err as Error).message}`, path, {
      cause: err,
    });
  }
  const parsed = ClustersFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ClusterConfigError(
      `clusters file ${path} is invalid: ${issues} (expected \`clusters: [{name, context, labels}]\`)`,
      path,
    );
  }
  return parsed.data;
}

/**
 * One KubeConfig per cluster, holding only that context: the library resolves credentials and
 * TLS per request from the *current* context, so a shared instance would send every request with
 * whichever context was selected last.
 */
function singleContextConfig(
  kc: KubeConfig,
  context: Context,
  source: string,
): { kubeConfig: KubeConfig; server: string } {
  const cluster: Cluster | null = kc.getCluster(context.cluster);
  if (!cluster) {
    throw new ClusterConfigError(
      `kubeconfig ${source}: context "${context.name}" refers to cluster "${context.cluster}", which it does not define`,
      source,
    );
  }
  const user: User | null = context.user ? kc.getUser(context.user) : null;
  const one = new KubeConfig();
  one.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [context],
    currentContext: context.name,
  });
  return { kubeConfig: one, server: cluster.server };
}

/**
 * The clusters Revela deploys to: each kubeconfig context (or each entry of clusters.yaml) is a
 * cluster with a name and labels, reached through its own {@link ClusterClient}.
 *
 * @example
 * const registry = await ClusterRegistry.load({ kubeconfigPath: '.revela/kubeconfig', clustersPath: '.revela/clusters.yaml' });
 * registry.select({ region: 'hangzhou' }).map((c) => c.name); // ['hangzhou1', 'hangzhou2']
 * await registry.client('hangzhou1').apply(deployment);
 */
export class ClusterRegistry {
  private readonly clients = new Map<string, ClusterClient>();

  private constructor(
    private readonly clusters: ReadonlyMap<string, RegisteredCluster>,
    private readonly clientOptions: ClusterClientOptions,
  ) {}

  /**
   * @throws ClusterConfigError when the kubeconfig or clusters.yaml cannot be read, is invalid,
   *   or clusters.yaml names a context the kubeconfig does not have.
   */
  static async load(options: ClusterRegistryOptions = {}): Promise<ClusterRegistry> {
    const { kc, source, inCluster } = loadKubeConfig(options);
    const contexts = kc.getContexts();
    let entries: { name: string; context: string; labels: Record<string, string> }[];
    if (options.clustersPath !== undefined) {
      const file = await loadClustersFile(options.clustersPath);
      entries = file.clusters.map((c) => ({
        name: c.name,
        context: c.context ?? c.name,
        labels: c.labels ?? {},
      }));
      const seen = new Set<string>();
      for (const entry of entries) {
        if (seen.has(entry.name))
          throw new ClusterConfigError(
            `clusters file ${options.clustersPath}: cluster "${entry.name}" is listed twice`,
            options.clustersPath,
          );
        seen.add(entry.name);
        if (!contexts.some((c) => c.name === entry.context)) {
          throw new ClusterConfigError(
            `clusters file ${options.clustersPath}: cluster "${entry.name}" uses context "${entry.context}", which kubeconfig ${source} does not define (it has ${contexts.map((c) => c.name).join(', ') || 'no contexts'})`,
            options.clustersPath,
          );
        }
      }
    } else if (inCluster) {
      // Running inside a cluster with no clusters file: that cluster is the local one.
      entries = contexts.map((c) => ({ name: LOCAL_CLUSTER, context: c.name, labels: {} }));
    } else {
      entries = contexts.map((c) => ({ name: c.name, context: c.name, labels: {} }));
    }

    const clusters = new Map<string, RegisteredCluster>();
    for (const entry of entries) {
      const context = contexts.find((c) => c.name === entry.context) as Context;
      const { kubeConfig, server } = singleContextConfig(kc, context, source);
      clusters.set(entry.name, {
        info: { name: entry.name, labels: { ...entry.labels } },
        kubeConfig,
        server,
      });
    }
    const clientOptions: ClusterClientOptions =
      options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {};
    return new ClusterRegistry(clusters, clientOptions);
  }

  /** Every cluster, sorted by name. */
  list(): ClusterInfo[] {
    return [...this.clusters.values()].map((c) => c.info).sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.clusters.has(name);
  }

  /** @throws UnknownClusterError listing the known clusters. */
  get(name: string): ClusterInfo {
    return this.registered(name).info;
  }

  /** Clusters whose labels include every pair of `labels` (all clusters for `{}`), sorted by name. */
  select(labels: Readonly<Record<string, string>>): ClusterInfo[] {
    return this.list().filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v));
  }

  /** The cluster's client, created once. @throws UnknownClusterError */
  client(name: string): ClusterClient {
    let client = this.clients.get(name);
    if (!client) {
      client = new ClusterClient(name, this.registered(name).kubeConfig, this.clientOptions);
      this.clients.set(name, client);
    }
    return client;
  }

  /** The cluster's API server URL. @throws UnknownClusterError */
  server(name: string): string {
    return this.registered(name).server;
  }

  private registered(name: string): RegisteredCluster {
    const cluster = this.clusters.get(name);
    if (!cluster)
      throw new UnknownClusterError(
        name,
        this.list().map((c) => c.name),
      );
    return cluster;
  }
}
