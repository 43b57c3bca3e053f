import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { indexDefinitions, type DefinitionEntry, type DefinitionType } from '../definition-index.js';
import type { Palette } from '../output/palette.js';
import { formatTable } from '../output/table.js';
import { catalogLayers, definitionNamespace, typeOption } from './def.js';

export function formatDefinitionList(entries: readonly DefinitionEntry[], palette?: Palette): string {
  return formatTable(
    ['NAME', 'TYPE', 'SOURCE', 'VERSION', 'DESCRIPTION'],
    entries.map((e) => [e.name, e.type, e.source, e.version ?? '-', e.description ?? '']),
    palette ? { palette } : {},
  );
}

/** `revela def list [--type T]`. */
export function defListCommand(ctx: CliContext): Command {
  return new Command('list')
    .alias('ls')
    .summary('list the definitions an application in the namespace can use')
    .description(
      'List definitions as an application in -n sees them: built-ins, overridden by vela-system,\n' +
        'overridden by the namespace itself. SOURCE tells which one wins.',
    )
    .addOption(typeOption())
    .addHelpText(
      'after',
      `
Examples:
  revela def list
  revela def list -n examples --type trait`,
    )
    .action(async (options: { type?: DefinitionType }, cmd: Command) => {
      const namespace = definitionNamespace(ctx.globals(cmd));
      const client = await ctx.client(cmd);
      const entries = indexDefinitions(await catalogLayers(client, namespace), options.type);
      ctx.emit(
        cmd,
        entries.map(({ definition: _d, ...rest }) => rest),
        () => formatDefinitionList(entries, ctx.palette()),
      );
    });
}
