import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { DETAIL_FORMATS, formatResourceTree, type DetailFormat } from '../output/resource-tree.js';
import { formatStatus } from '../output/status-view.js';

export interface StatusCommandOptions {
  readonly tree?: boolean;
  readonly detail?: boolean;
  readonly detailFormat?: DetailFormat;
}

/** `revela status NAME [--tree] [--detail] [--detail-format F]`. */
export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .summary("show an application's status, workflow steps and services")
    .description(
      "Show the application's phase, the current revision's workflow (steps, why a step waits) and\n" +
        'the health of each component on each cluster. --tree lists every resource of the current\n' +
        'revision per cluster and namespace, with what is live: updated, outdated or not-deployed.',
    )
    .argument('<name>', 'the application')
    .option('--tree', 'show the resources per cluster and namespace')
    .option('--detail', 'with --tree: add the apply time and kubectl-like details (implies --tree)')
    .addOption(
      new Option('--detail-format <format>', 'how details are shown (implies --detail)').choices(
        DETAIL_FORMATS,
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  revela status podinfo -n examples
  revela status podinfo -n examples --tree --detail
  revela status podinfo -n examples --tree --detail --detail-format wide
  revela status podinfo -n examples -o yaml`,
    )
    .action(async (name: string, options: StatusCommandOptions, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      const client = await ctx.client(cmd);
      const detail = options.detail === true || options.detailFormat !== undefined;
      if (options.tree === true || detail) {
        const rows = await client.diffs.resourceTree({ name, namespace });
        ctx.emit(cmd, rows, (r, palette) =>
          formatResourceTree(r, { detail, detailFormat: options.detailFormat ?? 'inline', palette }),
        );
        return;
      }
      const view = await client.status({ name, namespace });
      ctx.emit(cmd, view, formatStatus);
    });
}
