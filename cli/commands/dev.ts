import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseCount, parsePort } from '../options.js';

export interface DevCommandOptions {
  readonly stateDir?: string;
  readonly port?: number;
  readonly uiPort?: number;
  readonly codecPort?: number;
  readonly podReadyDelayMs?: number;
}

/** The `REVELA_*` variables `npm start` reads, from `revela dev` flags. */
export function devEnvironment(options: DevCommandOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.stateDir !== undefined) env.REVELA_STATE_DIR = options.stateDir;
  if (options.port !== undefined) env.REVELA_DEV_PORT = String(options.port);
  if (options.uiPort !== undefined) env.REVELA_DEV_UI_PORT = String(options.uiPort);
  if (options.codecPort !== undefined) env.REVELA_CODEC_PORT = String(options.codecPort);
  if (options.podReadyDelayMs !== undefined) env.REVELA_POD_READY_DELAY_MS = String(options.podReadyDelayMs);
  return env;
}

/** `revela dev`: the same embedded stack as `npm start`. */
export function devCommand(_ctx: CliContext): Command {
  return new Command('dev')
    .summary(
      'run the dev stack: Temporal dev server + UI, three real Kubernetes clusters, codec server, worker',
    )
    .description(
      'Start everything, as `npm start` does: the Temporal dev server (gRPC 7233, UI 8233) with its\n' +
        'SQLite file under .revela/, the codec server, three real Kubernetes v1.34 clusters (local,\n' +
        'hangzhou1, hangzhou2: kube-apiserver, controller-manager, scheduler, etcd, kwok nodes, all on\n' +
        '127.0.0.1) and a worker. The first start builds the Kubernetes binaries through the Go module\n' +
        'proxy (about 5 minutes, cached under ~/.cache/revela); later starts take seconds. The\n' +
        'clusters use about 570 MB each. Ctrl-C stops it all; the clusters keep their data.',
    )
    .option(
      '--state-dir <dir>',
      'SQLite file, kubeconfig and cluster data (REVELA_STATE_DIR, default .revela)',
    )
    .option('--port <port>', 'Temporal gRPC port (REVELA_DEV_PORT, default 7233)', parsePort)
    .option('--ui-port <port>', 'Temporal UI port (REVELA_DEV_UI_PORT, default 8233)', parsePort)
    .option('--codec-port <port>', 'codec server port (REVELA_CODEC_PORT, default 8081)', parsePort)
    .option(
      '--pod-ready-delay-ms <ms>',
      'how long a pod takes to become Ready on the local clusters (REVELA_POD_READY_DELAY_MS, default 1500)',
      parseCount,
    )
    .addHelpText(
      'after',
      `
Examples:
  revela dev
  revela dev --state-dir /tmp/revela --port 7300 --ui-port 8300
  KUBECONFIG=.revela/kubeconfig kubectl --context hangzhou1 get deploy -A`,
    )
    .action(async (options: DevCommandOptions) => {
      Object.assign(process.env, devEnvironment(options));
      // dev/start.js is the `npm start` program: importing it runs the stack until Ctrl-C.
      await import('../../dev/start.js');
    });
}
