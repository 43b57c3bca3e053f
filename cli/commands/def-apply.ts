import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { loadInputs } from '../load-inputs.js';
import { formatApplyOutcomes } from '../output/apply-outcomes.js';
import { fileOption } from './apply.js';
import { definitionNamespace } from './def.js';

const DEFINITION_KINDS = new Set([
  'ComponentDefinition',
  'TraitDefinition',
  'PolicyDefinition',
  'WorkflowStepDefinition',
]);

/** `revela def apply -f FILE`: store definitions in a catalog (vela-system unless they or -n say otherwise). */
export function defApplyCommand(ctx: CliContext): Command {
  const command = new Command('apply').summary('store definitions in a namespace catalog');
  fileOption(command, true, 'a YAML file, a directory or - (repeatable)');
  return command
    .addHelpText(
      'after',
      `
Definitions without metadata.namespace go to vela-system (shared by every namespace), or to -n.
Revisions already published keep the copy they pinned.

Examples:
  revela def apply -f my-trait.yaml
  revela def apply -f team-definitions/ -n team-a`,
    )
    .action(async (options: { file: string[] }, cmd: Command) => {
      const namespace = definitionNamespace(ctx.globals(cmd));
      const documents = await loadInputs(options.file, {
        defaultNamespace: namespace,
        onSkip: (file, reason) => ctx.printError(`skipped ${file}: ${reason}`),
      });
      const others = documents.filter((d) => !DEFINITION_KINDS.has(d.kind));
      if (others.length > 0) {
        const what = others.map((d) => `${d.kind} ${d.metadata.name}`).join(', ');
        throw new CliUsageError(`def apply takes definitions only; use \`revela apply\` for ${what}`);
      }
      const client = await ctx.client(cmd);
      ctx.emit(cmd, await client.apply(documents), formatApplyOutcomes);
    });
}
