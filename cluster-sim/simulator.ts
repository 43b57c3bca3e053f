import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { KubeObject } from '../model/kube-object.js';
import { createAdminServer } from './admin-server.js';
import { ApiServer } from './api-server.js';
import { ClusterState, type ClusterSnapshot } from './cluster-state.js';
import { FaultInjector, type FaultConfig } from './faults.js';
import { clone } from './json.js';
import { clustersFileText, kubeconfigText } from './kubeconfig.js';
import { DataFileWriter, loadDataFile } from './persistence.js';
import { findByKind } from './resource-types.js';
import { RolloutController } from './rollout-controller.js';
import { TimerSet } from './timer-set.js';

export interface SimulatorClusterOptions {
  readonly name: string;
  /** Labels written to clusters.yaml, for `topology.clusterLabelSelector`. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Port to listen on. @default a free port chosen by the OS */
  readonly port?: number;
}

export interface SimulatorOptions {
  /** @default DEFAULT_SIM_CLUSTERS: local, hangzhou1 and hangzhou2 (region=hangzhou) */
  readonly clusters?: readonly SimulatorClusterOptions[];
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Time a Deployment takes to roll out completely (and a Job to complete); 0 = ready on the write itself. @default 2000 */
  readonly rolloutDurationMs?: number;
  /** Images that can never be pulled. @default DEFAULT_UNPULLABLE_IMAGES (a tag ending in `xxx`) */
  readonly unpullableImages?: readonly RegExp[];
  /** Create a missing namespace on create/apply instead of answering 404. @default false */
  readonly createNamespacesOnApply?: boolean;
  /** JSON file to load objects from at start and save them to on change (debounced) and at stop. @default none */
  readonly dataFile?: string;
  /** Port of the admin endpoint. @default a free port chosen by the OS */
  readonly adminPort?: number;
}

export interface SimulatedCluster {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly port: number;
}

export interface Simulator {
  readonly clusters: readonly SimulatedCluster[];
  /** Base URL of the admin endpoint (`GET /clusters`, `PUT|DELETE /clusters/<name>/faults`, `GET /clusters/<name>/objects`). */
  readonly adminUrl: string;
  /** A kubeconfig with one context per cluster, named like the cluster. */
  kubeconfigText(): string;
  /** Revela's clusters.yaml for these clusters. */
  clustersFileText(): string;
  /** Writes `kubeconfig` and `clusters.yaml` into `dir` (created if needed). */
  writeFiles(dir: string): Promise<{ kubeconfigPath: string; clustersPath: string }>;
  /** Replaces the faults of one cluster. @throws UnknownSimulatedClusterError */
  setFaults(cluster: string, faults: FaultConfig): void;
  /** Clears the faults of one cluster, or of all of them. */
  clearFaults(cluster?: string): void;
  /** Every stored object of a cluster, for assertions. @throws UnknownSimulatedClusterError */
  objects(cluster: string): KubeObject[];
  /** Stops listening, ends watches, cancels timers and saves the data file. */
  stop(): Promise<void>;
}

export const DEFAULT_SIM_CLUSTERS: readonly SimulatorClusterOptions[] = [
  { name: 'local' },
  { name: 'hangzhou1', labels: { region: 'hangzhou' } },
  { name: 'hangzhou2', labels: { region: 'hangzhou' } },
];

/** Any image whose tag ends in `xxx` (e.g. `podinfo:6.5.xxx`) cannot be pulled. */
export const DEFAULT_UNPULLABLE_IMAGES: readonly RegExp[] = [/:[^:]*xxx$/];

export const DEFAULT_ROLLOUT_DURATION_MS = 2_000;

export class UnknownSimulatedClusterError extends Error {
  override readonly name = 'UnknownSimulatedClusterError';
  constructor(
    readonly cluster: string,
    readonly known: readonly string[],
  ) {
    super(`the simulator has no cluster "${cluster}" (it has ${known.join(', ')})`);
  }
}

/** Namespaces every cluster starts with, as a fresh kubeadm cluster has them. */
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

class SimulatedClusterRuntime {
  readonly state: ClusterState;
  readonly faults = new FaultInjector();
  readonly controller: RolloutController;
  readonly api: ApiServer;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly closing: Promise<void>[] = [];
  port = 0;
  partitioned = false;

  constructor(
    readonly options: SimulatorClusterOptions,
    private readonly host: string,
    timers: TimerSet,
    simulatorOptions: SimulatorOptions,
  ) {
    this.state = new ClusterState(options.name, { ...(options.labels ?? {}) });
    this.controller = new RolloutController(this.state, {
      rolloutDurationMs: simulatorOptions.rolloutDurationMs ?? DEFAULT_ROLLOUT_DURATION_MS,
      unpullableImages: simulatorOptions.unpullableImages ?? DEFAULT_UNPULLABLE_IMAGES,
      timers,
    });
    this.api = new ApiServer({
      state: this.state,
      controller: this.controller,
      faults: this.faults,
      timers,
      createNamespacesOnApply: simulatorOptions.createNamespacesOnApply ?? false,
      address: () => this.url,
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  seedNamespaces(): void {
    const namespace = findByKind('v1', 'Namespace');
    if (!namespace) return;
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const name of INITIAL_NAMESPACES) {
      if (this.state.get(namespace, undefined, name)) continue;
      this.state.put(namespace, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          uid: randomUUID(),
          creationTimestamp: time,
          generation: 1,
          labels: { 'kubernetes.io/metadata.name': name },
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }

  /** Listens (again) on the cluster's port; the first call picks it. */
  async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 5_000 }, this.api.handle);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.port || this.options.port || 0, this.host);
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /**
   * Drops the cluster off the network: the listening socket closes at once (new connections are
   * refused) and open connections, watches included, are cut.
   */
  partition(): void {
    this.partitioned = true;
    this.closeServer();
  }

  private closeServer(): void {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.closing.push(new Promise<void>((resolve) => server.close(() => resolve())));
    this.api.closeWatches();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async heal(): Promise<void> {
    if (!this.partitioned) return;
    this.partitioned = false;
    await this.listen();
  }

  async stop(): Promise<void> {
    this.closeServer();
    await Promise.all(this.closing);
  }
}

/**
 * Starts simulated clusters, each an HTTP server speaking the Kubernetes API subset that
 * `@kubernetes/client-node` and kubectl use, plus an admin endpoint for faults.
 *
 * @example
 * const sim = await startSimulator({ rolloutDurationMs: 0 });
 * const { kubeconfigPath, clustersPath } = await sim.writeFiles(dir);
 * // … KUBECONFIG=kubeconfigPath kubectl get deploy -A …
 * await sim.stop();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const definitions = options.clusters ?? DEFAULT_SIM_CLUSTERS;
  const names = definitions.map((c) => c.name);
  if (new Set(names).size !== names.length)
    throw new Error(`simulator cluster names must be unique: ${names.join(', ')}`);
  const timers = new TimerSet();
  const runtimes = definitions.map((c) => new SimulatedClusterRuntime(c, host, timers, options));

  const persisted = options.dataFile ? await loadDataFile(options.dataFile) : undefined;
  for (const runtime of runtimes) {
    const snapshot: ClusterSnapshot | undefined = persisted?.[runtime.options.name];
    if (snapshot) runtime.state.restore(snapshot);
    runtime.seedNamespaces();
  }
  let writer: DataFileWriter | undefined;
  if (options.dataFile) {
    writer = new DataFileWriter(options.dataFile, () =>
      Object.fromEntries(runtimes.map((r) => [r.options.name, r.state.snapshot()])),
    );
    for (const runtime of runtimes) runtime.state.onChange(() => writer?.schedule());
  }

  const started: SimulatedClusterRuntime[] = [];
  try {
    for (const runtime of runtimes) {
      await runtime.listen();
      started.push(runtime);
    }
  } catch (err) {
    timers.stop();
    await Promise.all(started.map((r) => r.stop()));
    throw err;
  }
  for (const runtime of runtimes) runtime.controller.resume();

  const runtime = (name: string): SimulatedClusterRuntime => {
    const found = runtimes.find((r) => r.options.name === name);
    if (!found) throw new UnknownSimulatedClusterError(name, names);
    return found;
  };
  const endpoints = (): SimulatedCluster[] =>
    runtimes.map((r) => ({ name: r.options.name, url: r.url, labels: { ...r.state.labels }, port: r.port }));

  // The listening socket is bound synchronously inside heal(), so a request made right after
  // clearFaults() already connects; only a failure to bind (port taken meanwhile) arrives later.
  const healInBackground = (r: SimulatedClusterRuntime): void => {
    r.heal().catch((err: unknown) => {
      process.stderr.write(
        `simulator: cluster ${r.options.name} cannot listen on port ${r.port} again: ${(err as Error).message}\n`,
      );
    });
  };
  const setFaults = (cluster: string, faults: FaultConfig): void => {
    const r = runtime(cluster);
    r.faults.set(faults);
    if (faults.partitioned && !r.partitioned) r.partition();
    if (!faults.partitioned && r.partitioned) healInBackground(r);
  };
  const clearFaults = (cluster?: string): void => {
    for (const r of cluster === undefined ? runtimes : [runtime(cluster)]) {
      r.faults.clear();
      if (r.partitioned) healInBackground(r);
    }
  };
  const objects = (cluster: string): KubeObject[] =>
    runtime(cluster)
      .state.all()
      .map((o) => clone(o) as unknown as KubeObject);

  const admin = createAdminServer({
    clusters: () =>
      runtimes.map((r) => ({
        name: r.options.name,
        url: r.url,
        port: r.port,
        labels: { ...r.state.labels },
        faults: r.faults.current,
        resourceVersion: r.state.resourceVersion,
        objects: r.state.all().length,
      })),
    setFaults,
    clearFaults,
    objects,
  });
  admin.listen(options.adminPort ?? 0, host);
  try {
    await once(admin, 'listening');
  } catch (err) {
    timers.stop();
    await Promise.all(runtimes.map((r) => r.stop()));
    throw err;
  }
  const adminUrl = `http://${host}:${(admin.address() as AddressInfo).port}`;

  let stopping: Promise<void> | undefined;
  return {
    get clusters() {
      return endpoints();
    },
    adminUrl,
    kubeconfigText: () => kubeconfigText(endpoints()),
    clustersFileText: () => clustersFileText(endpoints()),
    async writeFiles(dir: string) {
      await mkdir(dir, { recursive: true });
      const kubeconfigPath = join(dir, 'kubeconfig');
      const clustersPath = join(dir, 'clusters.yaml');
      await writeFile(kubeconfigPath, kubeconfigText(endpoints()), { mode: 0o600 });
      await writeFile(clustersPath, clustersFileText(endpoints()));
      return { kubeconfigPath, clustersPath };
    },
    setFaults,
    clearFaults,
    objects,
    stop() {
      stopping ??= (async () => {
        timers.stop();
        admin.closeAllConnections();
        await Promise.all([
          ...runtimes.map((r) => r.stop()),
          new Promise<void>((resolve) => admin.close(() => resolve())),
        ]);
        await writer?.flush();
      })();
      return stopping;
    },
  };
}
