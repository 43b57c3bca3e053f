import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities } from '../activities/create-activities.js';
import { HEALTH_HEARTBEAT_THROTTLE_MS } from '../activities/check-health.js';
import { revelaDataConverter } from '../client/data-converter.js';
import { readKeptCatalog, readMergedCatalog } from '../client/read-catalog.js';
import { ClusterRegistry } from '../kube/cluster-registry.js';
import type { WorkerConfig } from './config.js';
import { registerSearchAttributes } from './search-attributes.js';
import { promoteVersion, workerDeploymentOptions, type PromotionOutcome } from './versioning.js';
import { limitWorkflowHeap } from './memory.js';
import { preloadModules } from './preload-modules.js';
import { workflowsPath } from './workflows-path.js';

export interface RevelaWorkerOptions {
  readonly config: WorkerConfig;
  /** Clusters to deploy to. @default loaded from the config's kubeconfig and clusters file */
  readonly registry?: ClusterRegistry;
  /** A prebuilt workflow bundle (tests bundle once per run). @default bundle `workflows/` at start */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
  readonly identity?: string;
}

export interface RevelaWorker {
  readonly worker: Worker;
  readonly client: Client;
  readonly registry: ClusterRegistry;
  /**
   * Settles once the worker polls and its build was made the deployment's current version (or
   * left, see `REVELA_PROMOTE`); rejects when the server refuses. Workflow tasks that arrive
   * before are held by the server and dispatched when a current version exists.
   */
  readonly promotion: Promise<PromotionOutcome>;
  /** Closes the connections; call after `worker.run()` resolved. */
  readonly close: () => Promise<void>;
}

/**
 * Connects to Temporal, registers Revela's search attributes (idempotent) and creates a worker
 * serving every workflow and activity on the configured task queue.
 */
export async function createRevelaWorker(options: RevelaWorkerOptions): Promise<RevelaWorker> {
  const { config } = options;
  const registry =
    options.registry ??
    (await ClusterRegistry.load({
      kubeconfigPath: config.kubeconfigPath,
      ...(config.clustersPath ? { clustersPath: config.clustersPath } : {}),
    }));
  const dataConverter = revelaDataConverter(config.encryption);
  const nativeConnection = await NativeConnection.connect(config.connection.connectionOptions);
  const clientConnection = await Connection.connect({
    ...config.connection.connectionOptions,
    tls: config.connection.connectionOptions.tls ?? undefined,
  });
  try {
    await registerSearchAttributes(nativeConnection, config.connection.namespace);
    const client = new Client({
      connection: clientConnection,
      namespace: config.connection.namespace,
      dataConverter,
    });
    const workflowBundle = options.workflowBundle ?? (await bundleWorkflows());
    if (config.memoryBytes !== undefined) limitWorkflowHeap(config.memoryBytes);
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.connection.namespace,
      taskQueue: config.taskQueue,
      workflowBundle,
      activities: createActivities({
        registry,
        temporal: client,
        readCatalog: (namespace) => readMergedCatalog(client, namespace),
        readKeptCatalog: (namespace) => readKeptCatalog(client, namespace),
      }),
      dataConverter,
      shutdownGraceTime: config.shutdownGraceMs,
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
      // A workflow task needs its workflow in the cache: never more tasks at once than it holds.
      maxConcurrentWorkflowTaskExecutions:
        config.maxCachedWorkflows !== undefined && config.maxCachedWorkflows > 0
          ? Math.min(config.maxConcurrentWorkflowTasks, config.maxCachedWorkflows)
          : config.maxConcurrentWorkflowTasks,
      ...(config.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.maxCachedWorkflows } : {}),
      // Activities without a heartbeat timeout (the health wait) still heartbeat while they look
      // again; sending those at most this far apart is how a superseded run's wait is cancelled
      // promptly rather than at the SDK's default 30 s.
      defaultHeartbeatThrottleInterval: HEALTH_HEARTBEAT_THROTTLE_MS,
      ...(options.identity ? { identity: options.identity } : {}),
      workerDeploymentOptions: workerDeploymentOptions(config.versioning),
    });
    let closed = false;
    const promotion = promoteOncePolling(
      worker,
      async () =>
        promoteVersion(clientConnection.workflowService, config.connection.namespace, config.versioning, {
          identity: options.identity ?? `revela-worker ${config.versioning.buildId}`,
        }),
      () => closed,
    );
    return {
      worker,
      client,
      registry,
      promotion,
      close: async () => {
        closed = true;
        await clientConnection.close();
        await nativeConnection.close();
      },
    };
  } catch (err) {
    await clientConnection.close();
    await nativeConnection.close();
    throw err;
  }
}

/**
 * Runs `promote` once the worker polls (the server knows a version from its first poller). A
 * worker that stops first settles as `stopped`; a failure is logged here too, since an
 * in-process worker's owner may never await it.
 */
function promoteOncePolling(
  worker: Worker,
  promote: () => Promise<PromotionOutcome>,
  closed: () => boolean,
): Promise<PromotionOutcome> {
  const promotion = (async (): Promise<PromotionOutcome> => {
    for (;;) {
      const state = worker.getState();
      if (state === 'RUNNING') return promote();
      if (state !== 'INITIALIZED' || closed()) return { outcome: 'stopped' };
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  promotion.catch((err: unknown) => {
    Runtime.instance().logger.error((err as Error).message);
  });
  return promotion;
}

/**
 * Bundles `workflows/` once at start. Done here rather than by `Worker.create` so webpack's build
 * statistics go to debug, not into every worker's info log.
 */
async function bundleWorkflows(): Promise<{ code: string }> {
  const log = Runtime.instance().logger;
  const started = Date.now();
  const path = workflowsPath();
  const bundle = await bundleWorkflowCode({
    workflowsPath: path,
    preloadModules: preloadModules(path),
    logger: {
      log: (level, message, meta) => void log.log(level, message, meta),
      trace: (message, meta) => void log.trace(message, meta),
      debug: (message, meta) => void log.debug(message, meta),
      info: (message, meta) => void log.debug(message, meta),
      warn: (message, meta) => void log.warn(message, meta),
      error: (message, meta) => void log.error(message, meta),
    },
  });
  log.info('workflow code bundled', { ms: Date.now() - started, bytes: bundle.code.length });
  return { code: bundle.code };
}
