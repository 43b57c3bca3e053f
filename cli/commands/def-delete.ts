import { Command } from 'commander';
import type { CliContext } from '../context.js';
import {
  DEFINITION_KIND,
  findDefinition,
  indexDefinitions,
  type DefinitionType,
} from '../definition-index.js';
import { definitionNamespace, typeOption } from './def.js';

/** `revela def delete NAME [--type T]`: remove a definition from one namespace catalog. */
export function defDeleteCommand(ctx: CliContext): Command {
  return new Command('delete')
    .summary('remove a definition from a namespace catalog (vela-system unless -n)')
    .argument('<name>', 'the definition')
    .addOption(typeOption())
    .addHelpText(
      'after',
      `
Built-in definitions cannot be deleted; a deleted override makes the built-in visible again.
Revisions already published keep the copy they pinned.

Example:
  revela def delete my-trait --type trait`,
    )
    .action(async (name: string, options: { type?: DefinitionType }, cmd: Command) => {
      const namespace = definitionNamespace(ctx.globals(cmd));
      const client = await ctx.client(cmd);
      const stored = indexDefinitions([{ source: namespace, view: await client.getCatalog(namespace) }]);
      const entry = findDefinition(stored, name, options.type, `the ${namespace} catalog`);
      const change = await client.deleteFromCatalog({ namespace, kind: DEFINITION_KIND[entry.type], name });
      ctx.emit(cmd, change, (c) => `${c.kind} ${namespace}/${c.name} ${c.change}`);
    });
}
