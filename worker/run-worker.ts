import type { Server } from 'node:http';
import { Runtime } from '@temporalio/worker';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { WorkerConfig } from './config.js';
import { createRevelaWorker } from './create-worker.js';
import { startHealthServer } from './health-server.js';
import { installRuntimeLogger } from './logger.js';
import { workflowHeapMiB } from './memory.js';

export interface RunWorkerOptions {
  readonly config: WorkerConfig;
  readonly registry?: ClusterRegistry;
  /** Install the JSON logger for the process (once per process). @default true */
  readonly installLogger?: boolean;
  /** Called once the worker polls, with the health endpoint's port if one is served. */
  readonly onReady?: (info: { healthPort?: number }) => void;
}

/**
 * Runs a worker until SIGINT/SIGTERM: the SDK stops polling, gives running activities
 * `shutdownGraceMs` to finish (then cancels them), and `run()` resolves.
 */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { config } = options;
  if (options.installLogger ?? true) installRuntimeLogger(config.logLevel, config.logFormat);
  const log = Runtime.instance().logger;
  const { worker, close, registry, promotion } = await createRevelaWorker({
    config,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  let health: Server | undefined;
  if (config.healthPort !== undefined) {
    health = await startHealthServer(worker, config.healthPort, {
      deploymentName: config.versioning.deploymentName,
      buildId: config.versioning.buildId,
      versioning: config.versioning.enabled,
    });
  }
  const address = health?.address();
  const healthPort = typeof address === 'object' && address ? address.port : undefined;
  const running = worker.run();
  try {
    // "started" means polling: a client that acts on it (a query, a publish) finds a poller.
    while (worker.getState() === 'INITIALIZED') await new Promise((r) => setTimeout(r, 10));
    // ...and, with versioning, new workflows are routed to a current version (this one, unless
    // the operator promotes or a newer release is current).
    const { outcome } = await promotion;
    log.info('revela worker started', {
      buildId: config.versioning.buildId,
      deployment: config.versioning.enabled ? config.versioning.deploymentName : 'unversioned',
      version: outcome,
      address: config.connection.address,
      namespace: config.connection.namespace,
      taskQueue: config.taskQueue,
      clusters: registry.list().map((c) => c.name),
      ...(healthPort !== undefined ? { healthz: `http://127.0.0.1:${healthPort}/healthz` } : {}),
      encryption: config.encryption ? 'on' : 'off',
      ...(config.memoryBytes !== undefined
        ? {
            memoryMiB: Math.round(config.memoryBytes / 2 ** 20),
            workflowHeapMiB: workflowHeapMiB(config.memoryBytes),
          }
        : {}),
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
    });
    options.onReady?.(healthPort !== undefined ? { healthPort } : {});
    await running;
  } catch (err) {
    worker.shutdown();
    await running.catch(() => undefined);
    throw err;
  } finally {
    health?.close();
    await close();
    log.info('revela worker stopped');
  }
}
