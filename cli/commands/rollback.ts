import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { checkRevisionOf } from '../options.js';
import { formatRollback } from '../output/rollback-result.js';

export interface RollbackCommandOptions {
  readonly to?: string;
  readonly dryRun?: boolean;
}

/** `revela rollback NAME [--to REV] [--dry-run]`. */
export function rollbackCommand(ctx: CliContext): Command {
  return new Command('rollback')
    .summary('return the clusters to a succeeded revision, without running any step')
    .description(
      "Re-apply a succeeded revision's rendered objects (the latest succeeded one by default) and\n" +
        'collect what newer revisions added. Works while a revision runs: it is superseded. Nothing\n' +
        'is deleted from history; the abandoned revision is marked RolledBack.',
    )
    .argument('<name>', 'the application')
    .option('--to <revision>', 'the succeeded revision to return to (default: the latest succeeded one)')
    .option('--dry-run', 'only show the rendered diff')
    .addHelpText(
      'after',
      `
Examples:
  revela rollback podinfo -n examples --dry-run
  revela rollback podinfo -n examples
  revela rollback podinfo -n examples --to podinfo-v1`,
    )
    .action(async (name: string, options: RollbackCommandOptions, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      if (options.to !== undefined) checkRevisionOf(name, options.to);
      const client = await ctx.client(cmd);
      const result = await client.rollback({
        name,
        namespace,
        ...(options.to !== undefined ? { to: options.to } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
      });
      ctx.emit(cmd, result, formatRollback);
    });
}
