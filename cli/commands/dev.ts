import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseCount, parsePort } from '../options.js';

export interface DevCommandOptions {
  readonly stateDir?: string;
  readonly port?: number;
  readonly uiPort?: number;
  readonly codecPort?: number;
  readonly simPort?: number;
  readonly rolloutMs?: number;
}

/** The `REVELA_*` variables `npm start` reads, from `revela dev` flags. */
export function devEnvironment(options: DevCommandOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.stateDir !== undefined) env.REVELA_STATE_DIR = options.stateDir;
  if (options.port !== undefined) env.REVELA_DEV_PORT = String(options.port);
  if (options.uiPort !== undefined) env.REVELA_DEV_UI_PORT = String(options.uiPort);
  if (options.codecPort !== undefined) env.REVELA_CODEC_PORT = String(options.codecPort);
  if (options.simPort !== undefined) env.REVELA_SIM_PORT = String(options.simPort);
  if (options.rolloutMs !== undefined) env.REVELA_SIM_ROLLOUT_MS = String(options.rolloutMs);
  return env;
}

/** `revela dev`: the same embedded stack as `npm start`. */
export function devCommand(_ctx: CliContext): Command {
  return new Command('dev')
    .summary('run the dev stack: Temporal dev server + UI, simulator clusters, codec server, worker')
    .description(
      'Start everything in one process, as `npm start` does: the Temporal dev server (gRPC 7233,\n' +
        'UI 8233) with its SQLite file under .revela/, the codec server, the cluster simulator\n' +
        '(local, hangzhou1, hangzhou2) and a worker. Ctrl-C stops it all.',
    )
    .option(
      '--state-dir <dir>',
      'SQLite file, kubeconfig and simulator data (REVELA_STATE_DIR, default .revela)',
    )
    .option('--port <port>', 'Temporal gRPC port (REVELA_DEV_PORT, default 7233)', parsePort)
    .option('--ui-port <port>', 'Temporal UI port (REVELA_DEV_UI_PORT, default 8233)', parsePort)
    .option('--codec-port <port>', 'codec server port (REVELA_CODEC_PORT, default 8081)', parsePort)
    .option('--sim-port <port>', 'first simulator port (REVELA_SIM_PORT, default 6443)', parsePort)
    .option('--rollout-ms <ms>', 'simulated rollout time (REVELA_SIM_ROLLOUT_MS, default 2000)', parseCount)
    .addHelpText(
      'after',
      `
Examples:
  revela dev
  revela dev --state-dir /tmp/revela --port 7300 --ui-port 8300`,
    )
    .action(async (options: DevCommandOptions) => {
      Object.assign(process.env, devEnvironment(options));
      // dev/start.js is the `npm start` program: importing it runs the stack until Ctrl-C.
      await import('../../dev/start.js');
    });
}
