import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { Connection, type Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { RevelaClient } from '../../client/revela-client.js';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { registerSearchAttributes } from '../../worker/search-attributes.js';
import { createRevelaWorker, type RevelaWorker } from '../../worker/create-worker.js';
import type { EngineSettings } from '../../workflows/messages.js';
import type { RolloutSpeed } from './cluster-pool.js';
import { startKubeFixture, type KubeFixture } from './kube-fixture.js';
import type { TestClusters } from './test-clusters.js';

export interface TestStackOptions {
  /**
   * Which real cluster set to lease (`local`, `hangzhou1`, `hangzhou2`): `fast` pods are Ready
   * about 0.1 s after scheduling, `slow` ones after 6 s (time to act during a rollout). @default 'fast'
   */
  readonly rollout?: RolloutSpeed;
  /** Engine tunables for applications created by this stack's client. @default fast health checks */
  readonly engine?: Partial<EngineSettings>;
  /** Extra `REVELA_*` variables for the worker (e.g. `REVELA_ENCRYPTION_KEY`). */
  readonly workerEnv?: Record<string, string>;
  /** Start the worker. @default true */
  readonly startWorker?: boolean;
  /** A Temporal server of the test's own (e.g. one it restarts). @default the run's shared dev server */
  readonly temporalAddress?: string;
}

/**
 * Health checks every 100 ms (capped at 500 ms) and state keep's first check 200 ms after a
 * success: tests see state changes quickly and never guess.
 */
export const FAST_ENGINE: Partial<EngineSettings> = {
  healthIntervalMs: 100,
  healthMaxIntervalMs: 500,
  supersedeTimeoutMs: 10_000,
  stateKeepSettleMs: 200,
};

export interface TestStack {
  /** This stack's own Temporal namespace on the shared dev server. */
  readonly namespace: string;
  /** The leased real clusters: direct clients, kubectl files, and the fault proxy in front of each. */
  readonly clusters: TestClusters;
  /** The environment a worker of this stack runs with (Temporal address, task queue, cluster files). */
  readonly env: Readonly<Record<string, string>>;
  /** The clusters as the worker reaches them: through the fault proxies. */
  readonly registry: ClusterRegistry;
  readonly client: RevelaClient;
  readonly temporal: Client;
  readonly taskQueue: string;
  /** The running worker, if started. */
  worker: RevelaWorker | undefined;
  /** Starts a worker (again) on this stack's task queue; resolves once it polls. */
  startWorker(): Promise<RevelaWorker>;
  /** Shuts the worker down and waits for it. */
  stopWorker(): Promise<void>;
  /**
   * Another client on this stack, whose applications get `FAST_ENGINE` with `engine` over it
   * (settings are fixed when an entity is created). The caller closes it.
   */
  clientWith(engine: Partial<EngineSettings>): Promise<RevelaClient>;
  stop(): Promise<void>;
}

/**
 * One test file's slice of the real system: a leased set of real clusters (cleared of what earlier
 * test files left) behind fault proxies, a worker on its own task queue against the run's shared
 * Temporal dev server, and a `RevelaClient`.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  quietRuntime();
  const address = options.temporalAddress ?? inject('temporalAddress');
  // Each stack gets its own Temporal namespace, so test files can use the same application names
  // (examples/podinfo) on the shared dev server without seeing each other's workflows.
  const namespace = await createTestNamespace(address);
  const bundlePath = inject('workflowBundlePath');
  const taskQueue = `test-${randomUUID()}`;
  const kube: KubeFixture = await startKubeFixture({ rollout: options.rollout ?? 'fast' });
  const { clusters, registry } = kube;
  const files = { kubeconfigPath: kube.kubeconfigPath, clustersPath: kube.clustersPath };
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    REVELA_TASK_QUEUE: taskQueue,
    REVELA_SHUTDOWN_GRACE: '2s',
    REVELA_KUBECONFIG: files.kubeconfigPath,
    REVELA_CLUSTERS: files.clustersPath,
    ...(options.workerEnv ?? {}),
  };

  let running: { worker: RevelaWorker; done: Promise<void> } | undefined;
  const stack: TestStack = {
    namespace,
    clusters,
    env,
    registry,
    client: undefined as unknown as RevelaClient,
    temporal: undefined as unknown as Client,
    taskQueue,
    worker: undefined,
    async startWorker() {
      const worker = await createRevelaWorker({
        config: loadWorkerConfig(env),
        registry,
        workflowBundle: { codePath: bundlePath },
        identity: `test-worker-${process.pid}`,
      });
      const done = worker.worker.run().finally(() => worker.close());
      running = { worker, done };
      stack.worker = worker;
      await waitForPolling(worker.worker);
      return worker;
    },
    async stopWorker() {
      if (!running) return;
      const { worker, done } = running;
      running = undefined;
      stack.worker = undefined;
      worker.worker.shutdown();
      await done;
    },
    clientWith(engine) {
      return RevelaClient.connect({
        address,
        temporalNamespace: namespace,
        taskQueue,
        engine: { ...FAST_ENGINE, ...engine },
        requireWorker: false,
        env: { ...process.env, ...env },
      });
    },
    async stop() {
      await stack.stopWorker();
      await stack.client?.close();
      await kube.stop();
    },
  };
  try {
    if (options.startWorker ?? true) await stack.startWorker();
    const client = await stack.clientWith(options.engine ?? {});
    Object.assign(stack, { client, temporal: client.temporal });
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

async function waitForPolling(worker: Worker): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (worker.getState() !== 'RUNNING') {
    if (Date.now() > deadline)
      throw new Error(`worker did not start polling within 30 s (state ${worker.getState()})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with the
 * last value `describe` gives — a bounded wait instead of a guessed sleep.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const state = options.describe ? await options.describe() : '';
      throw new Error(
        `timed out after ${options.timeoutMs ?? 60_000} ms waiting for ${what}${state ? `; last state: ${state}` : ''}${
          lastError ? `; last error: ${(lastError as Error).message}` : ''
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

let runtimeInstalled = false;

/** Test output shows the SDK's warnings and errors, not every worker state change. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(process.env.REVELA_TEST_LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'WARN'),
    });
  } catch {
    // Another stack in this process installed it already.
  }
}

/** Registers a fresh namespace with Revela's search attributes on the run's dev server. */
export async function createTestNamespace(address: string): Promise<string> {
  const namespace = `revela-test-${randomUUID().slice(0, 8)}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  return namespace;
}
