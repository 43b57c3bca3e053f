import { Command } from 'commander';
import { stringify } from 'yaml';
import type { CliContext } from '../context.js';
import { findDefinition, indexDefinitions, type DefinitionType } from '../definition-index.js';
import { catalogLayers, definitionNamespace, typeOption } from './def.js';

/** `revela def get NAME [--type T]`: the definition as YAML (the default) or JSON. */
export function defGetCommand(ctx: CliContext): Command {
  return new Command('get')
    .summary('print a definition')
    .argument('<name>', 'the definition')
    .addOption(typeOption())
    .addHelpText(
      'after',
      `
Examples:
  revela def get webservice
  revela def get scaler --type trait -o json`,
    )
    .action(async (name: string, options: { type?: DefinitionType }, cmd: Command) => {
      const namespace = definitionNamespace(ctx.globals(cmd));
      const client = await ctx.client(cmd);
      const entry = findDefinition(
        indexDefinitions(await catalogLayers(client, namespace)),
        name,
        options.type,
      );
      ctx.emit(
        cmd,
        entry.definition,
        (d) =>
          `# ${entry.type} definition "${name}" from ${entry.source}\n${stringify(d, { lineWidth: 0 }).trimEnd()}`,
      );
    });
}
