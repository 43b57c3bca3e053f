import { Command } from 'commander';
import type { CliContext } from '../context.js';

export interface SimCommandOptions {
  readonly ports?: string;
  readonly adminPort?: string;
  readonly rolloutMs?: string;
  readonly dataFile?: string | false;
  readonly dir?: string;
  readonly host?: string;
  readonly createNamespaces?: boolean;
}

/** The simulator's own argument list from commander's parse, so its parser stays the one source of validation. */
export function simulatorArgv(options: SimCommandOptions): string[] {
  const argv: string[] = [];
  if (options.ports !== undefined) argv.push('--ports', options.ports);
  if (options.adminPort !== undefined) argv.push('--admin-port', options.adminPort);
  if (options.rolloutMs !== undefined) argv.push('--rollout-ms', options.rolloutMs);
  if (options.dataFile === false) argv.push('--no-data-file');
  else if (options.dataFile !== undefined) argv.push('--data-file', options.dataFile);
  if (options.dir !== undefined) argv.push('--dir', options.dir);
  if (options.host !== undefined) argv.push('--host', options.host);
  if (options.createNamespaces) argv.push('--create-namespaces');
  return argv;
}

/** `revela sim`: the Kubernetes API simulator alone (clusters local, hangzhou1, hangzhou2). */
export function simCommand(ctx: CliContext): Command {
  return new Command('sim')
    .summary('run the Kubernetes API simulator (clusters local, hangzhou1, hangzhou2)')
    .option(
      '--ports <a,b,c>',
      'ports for local, hangzhou1, hangzhou2 (REVELA_SIM_PORTS; default 6443,6444,6445)',
    )
    .option('--admin-port <n>', 'admin endpoint port (default 6440)')
    .option('--rollout-ms <n>', 'time a Deployment takes to become ready (default 2000; 0 = instant)')
    .option('--data-file <path>', 'persist objects here (default .revela/sim-data.json)')
    .option('--no-data-file', 'keep objects in memory only')
    .option('--dir <path>', 'where kubeconfig and clusters.yaml are written (default .revela)')
    .option('--host <addr>', 'interface to listen on (default 127.0.0.1)')
    .option('--create-namespaces', 'create a missing namespace on apply instead of answering 404')
    .addHelpText(
      'after',
      `
Images whose tag ends in "xxx" (stefanprodan/podinfo:6.0.xxx) never become ready, like an image
that cannot be pulled.

Examples:
  revela sim --rollout-ms 1500
  revela sim --ports 7443,7444,7445 --no-data-file --dir /tmp/sim
  KUBECONFIG=.revela/kubeconfig kubectl get deploy -A`,
    )
    .action(async (options: SimCommandOptions) => {
      const { parseSimulatorArgs, runSimulatorCommand } = await import('../../cluster-sim/main.js');
      await runSimulatorCommand({
        ...parseSimulatorArgs(simulatorArgv(options), ctx.io.env),
        log: (line) => ctx.print(line),
      });
    });
}
