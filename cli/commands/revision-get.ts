import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { appOfRevision } from '../options.js';
import { formatRevisionDetail } from '../output/revision-detail.js';

/** `revela revision get NAME-vK`. */
export function revisionGetCommand(ctx: CliContext): Command {
  return new Command('get')
    .summary('show one revision: its record, pinned definitions and application')
    .argument('<revision>', 'the revision, <app>-v<N>')
    .addHelpText(
      'after',
      `
Examples:
  revela revision get podinfo-v1 -n examples
  revela revision get podinfo-v1 -n examples -o yaml    # the whole snapshot`,
    )
    .action(async (revision: string, _options: unknown, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      const name = appOfRevision(revision);
      const client = await ctx.client(cmd);
      const detail = await client.getRevision({ name, namespace }, revision);
      ctx.emit(cmd, detail, formatRevisionDetail);
    });
}
