import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { applyCommand } from './commands/apply.js';
import { clusterCommand } from './commands/cluster.js';
import { codecServerCommand } from './commands/codec-server.js';
import { controllerCommand } from './commands/controller.js';
import { defCommand } from './commands/def.js';
import { devCommand } from './commands/dev.js';
import { dryRunCommand } from './commands/dry-run.js';
import { liveDiffCommand } from './commands/live-diff.js';
import { revisionCommand } from './commands/revision.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';
import { workflowCommand } from './commands/workflow.js';
import { revelaBuildId } from '../worker/build-id.js';
import type { CliContext } from './context.js';
import { OUTPUT_FORMATS } from './output/structured.js';

/** The package version, from package.json next to `dist/` (built) or the sources. */
export function packageVersion(): string {
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'revela' && pkg.version) return pkg.version;
    } catch {
      // Try the next location.
    }
  }
  return '0.0.0';
}

/**
 * `0.2.0 (build 0.2.0-3f9a0c1b2d)`: the release and the Worker Deployment build id that
 * `revela worker` of this installation registers (`REVELA_BUILD_ID` when set).
 */
function versionText(): string {
  try {
    return `${packageVersion()} (build ${revelaBuildId(process.env)})`;
  } catch {
    // Workflow sources missing from a broken install: still say which release this is.
    return packageVersion();
  }
}

/** `revela status`, `revela revision list`: the command as typed. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command, depth first. */
export function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((c) => allCommands(c))];
}

/**
 * Settings every command needs and `addCommand` does not inherit: errors become exceptions (so
 * `main` decides the exit code: 2 for usage), and a usage error ends with the command's usage
 * line and where to find its examples.
 */
function configureEverywhere(program: Command, ctx: CliContext): void {
  for (const command of allCommands(program)) {
    const path = commandPath(command);
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => ctx.io.stdout.write(text),
        writeErr: (text) => ctx.io.stderr.write(text),
      })
      .showHelpAfterError(`Usage: ${path} ${command.usage()}\nRun '${path} --help' for options and examples.`)
      .configureHelp({ showGlobalOptions: true });
  }
}

/** The `revela` program with every command. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('revela')
    .description(
      'Versioned application delivery on Temporal with KubeVela-style YAML.\n' +
        'Every publish is an immutable revision <app>-v<N> run by a durable workflow.',
    )
    .version(versionText(), '-V, --version')
    .option('-n, --namespace <namespace>', 'the application namespace', 'default')
    .option(
      '--address <host:port>',
      'Temporal frontend (default: TEMPORAL_ADDRESS, a temporal.toml profile, or localhost:7233)',
    )
    .option(
      '--temporal-namespace <namespace>',
      'Temporal namespace (default: TEMPORAL_NAMESPACE or "default")',
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .addCommand(applyCommand(ctx))
    .addCommand(upCommand(ctx))
    .addCommand(statusCommand(ctx))
    .addCommand(revisionCommand(ctx))
    .addCommand(liveDiffCommand(ctx))
    .addCommand(dryRunCommand(ctx))
    .addCommand(rollbackCommand(ctx))
    .addCommand(workflowCommand(ctx))
    .addCommand(defCommand(ctx))
    .addCommand(clusterCommand(ctx))
    .addCommand(workerCommand(ctx))
    .addCommand(controllerCommand(ctx))
    .addCommand(devCommand(ctx))
    .addCommand(codecServerCommand(ctx))
    .addHelpText(
      'after',
      `
Environment:
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*   where Temporal is
  REVELA_TASK_QUEUE           the workers' task queue (default "revela")
  REVELA_KUBECONFIG, REVELA_CLUSTERS   clusters for --tree and rendered diffs (default .revela/ of the dev stack)
  REVELA_ENCRYPTION_KEY       payload encryption key shared with the workers
  NO_COLOR                    plain output on a terminal; DEBUG=revela prints stacks

Exit codes: 0 ok, 1 failure, 2 usage error.

Examples:
  revela apply -f examples/podinfo/
  revela dry-run -f examples/podinfo/ --clusters examples/podinfo/registry/clusters.yaml
  revela status podinfo -n examples --tree --detail
  revela revision list podinfo -n examples
  revela up podinfo -n examples --revision podinfo-v1 --publish-version beta1 --wait`,
    );
  configureEverywhere(program, ctx);
  return program;
}
