import { Command } from 'commander';
import { TemporalUnreachableError } from '../../client/errors.js';
import type { CliContext } from '../context.js';
import { parsePort, parsePositive } from '../options.js';

export interface WorkerCommandOptions {
  readonly concurrency?: number;
  readonly healthPort?: number;
  readonly taskQueue?: string;
}

/** True for the SDK's "cannot connect" errors (the native bridge's TransportError and gRPC UNAVAILABLE). */
function isConnectFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'TransportError' || (err as { code?: unknown }).code === 14;
}

/**
 * `revela worker`: the production worker — Temporal's environment conventions, `REVELA_*`
 * variables, JSON logs on stdout, `/healthz`, graceful shutdown on SIGTERM.
 */
export function workerCommand(ctx: CliContext): Command {
  return new Command('worker')
    .summary('run a Revela worker (stateless; run several to scale out)')
    .description(
      'Run a worker serving the application, revision and catalog workflows and their activities.\n' +
        'Configuration comes from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*\n' +
        '(or a temporal.toml profile) and REVELA_* variables (REVELA_KUBECONFIG, REVELA_CLUSTERS,\n' +
        'REVELA_ENCRYPTION_KEY, REVELA_LOG_FORMAT=json|text, …); flags override them.\n' +
        'REVELA_WORKER_MEMORY=1Gi (the container limit) sizes the workflow cache so the worker stays\n' +
        'within it whatever the number of applications (docs/production.md).\n' +
        'Logs are JSON lines on stdout. SIGTERM stops polling and lets running activities finish.\n' +
        'Each worker is a Worker Deployment Version revela/<build id> (see `revela --version`;\n' +
        'REVELA_BUILD_ID, REVELA_DEPLOYMENT_NAME): revisions stay on the build that started them, and\n' +
        'with REVELA_PROMOTE=auto (default) a worker of a newer release makes its build current.\n' +
        'Rolling out a release: docs/upgrades.md.',
    )
    .option(
      '--concurrency <n>',
      'activities run at once (REVELA_MAX_CONCURRENT_ACTIVITIES, default 100)',
      parsePositive,
    )
    .option(
      '--health-port <port>',
      'serve GET /healthz on this port (REVELA_HEALTH_PORT; 0 picks one)',
      parsePort,
    )
    .option('--task-queue <name>', 'task queue to poll (REVELA_TASK_QUEUE, default "revela")')
    .addHelpText(
      'after',
      `
Examples:
  revela worker --health-port 8080
  TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233 TEMPORAL_NAMESPACE=my-ns.a1b2c TEMPORAL_API_KEY=... \\
    REVELA_KUBECONFIG=/etc/revela/kubeconfig REVELA_CLUSTERS=/etc/revela/clusters.yaml revela worker --concurrency 50`,
    )
    .action(async (options: WorkerCommandOptions, cmd: Command) => {
      const globals = ctx.globals(cmd);
      const { loadWorkerConfig } = await import('../../worker/config.js');
      const config = loadWorkerConfig(ctx.io.env, {
        ...(options.taskQueue !== undefined ? { taskQueue: options.taskQueue } : {}),
        ...(options.concurrency !== undefined ? { maxConcurrentActivities: options.concurrency } : {}),
        ...(options.healthPort !== undefined ? { healthPort: options.healthPort } : {}),
        ...(globals.address !== undefined ? { address: globals.address } : {}),
        ...(globals.temporalNamespace !== undefined ? { namespace: globals.temporalNamespace } : {}),
      });
      const { runWorker } = await import('../../worker/run-worker.js');
      try {
        await runWorker({ config });
      } catch (err) {
        if (isConnectFailure(err)) throw new TemporalUnreachableError(config.connection.address, err);
        throw err;
      }
    });
}
