import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatRevisionList } from '../output/revision-table.js';

/** `revela revision list NAME`. */
export function revisionListCommand(ctx: CliContext): Command {
  return new Command('list')
    .alias('ls')
    .summary('list the retained revisions of an application, oldest first')
    .argument('<name>', 'the application')
    .addHelpText(
      'after',
      `
Example:
  revela revision list podinfo -n examples

  NAME       PUBLISH_VERSION SUCCEEDED HASH             BEGIN_TIME          STATUS    SIZE
  podinfo-v1 alpha1          true      65844934c2d07288 2022-04-13 20:45:19 Succeeded 23.7 KiB`,
    )
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      const client = await ctx.client(cmd);
      const revisions = await client.listRevisions({ name, namespace });
      ctx.emit(cmd, revisions, (r, palette) =>
        r.length === 0 ? `no revisions of ${namespace}/${name} yet` : formatRevisionList(r, palette),
      );
    });
}
