import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { loadInputs } from '../load-inputs.js';
import { formatApplyOutcomes } from '../output/apply-outcomes.js';

export interface ApplyCommandOptions {
  readonly file: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `-f, --file` that can be given several times. */
export function fileOption(command: Command, required: boolean, description: string): Command {
  const flags = '-f, --file <path>';
  return required
    ? command.requiredOption(flags, description, collect)
    : command.option(flags, description, collect);
}

/**
 * `revela apply -f <file|dir|->`: like `kubectl apply` — policies, workflows and definitions go to
 * their namespace's catalog, applications to their entity (publishing when the rules say so).
 */
export function applyCommand(ctx: CliContext): Command {
  const command = new Command('apply')
    .summary('apply applications, policies, workflows and definitions from YAML')
    .description(
      'Apply KubeVela-style documents. Policies, workflows and definitions are stored in their\n' +
        "namespace's catalog first; then each Application is saved as the draft and published when it\n" +
        'carries a new app.oam.dev/publishVersion (or, without one, when its content changed).\n' +
        'Documents without metadata.namespace get -n (default "default").',
    );
  fileOption(
    command,
    true,
    'a YAML file (several documents allowed), a directory of *.yaml files, or - for stdin; repeatable',
  );
  command.addHelpText(
    'after',
    `
Examples:
  revela apply -f examples/podinfo/policies.yaml -f examples/podinfo/workflow.yaml -f examples/podinfo/app.yaml
  revela apply -f examples/podinfo/
  cat app.yaml | revela apply -f -`,
  );
  command.action(async (options: ApplyCommandOptions, cmd: Command) => {
    const globals = ctx.globals(cmd);
    const documents = await loadInputs(options.file, {
      ...(globals.namespaceGiven ? { defaultNamespace: globals.namespace } : {}),
      onSkip: (file, reason) => ctx.printError(`skipped ${file}: ${reason}`),
    });
    const client = await ctx.client(cmd);
    const outcomes = await client.apply(documents);
    ctx.emit(cmd, outcomes, formatApplyOutcomes);
  });
  return command;
}
