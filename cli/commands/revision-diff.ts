import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { checkRevisionOf, contextOption } from '../options.js';
import { colorDiff } from '../output/diff-text.js';

export interface DiffCommandOptions {
  readonly rendered?: boolean;
  readonly context?: number;
}

/** `revela revision diff NAME A B [--rendered] [-c N]`. */
export function revisionDiffCommand(ctx: CliContext): Command {
  return new Command('diff')
    .summary('compare two revisions: documents, or rendered objects per cluster')
    .argument('<name>', 'the application')
    .argument('<base>', 'the older revision, <app>-v<N>')
    .argument('<target>', 'the newer revision')
    .option('--rendered', 'compare the Kubernetes objects each revision renders, per cluster')
    .addOption(contextOption())
    .addHelpText(
      'after',
      `
Examples:
  revela revision diff podinfo podinfo-v1 podinfo-v2 -n examples
  revela revision diff podinfo podinfo-v1 podinfo-v2 -n examples --rendered -c 2`,
    )
    .action(async (name: string, base: string, target: string, options: DiffCommandOptions, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      checkRevisionOf(name, base);
      checkRevisionOf(name, target);
      const client = await ctx.client(cmd);
      const report = await client.diffs.diffRevisions({ name, namespace }, base, target, {
        ...(options.rendered ? { rendered: true } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
      });
      ctx.emit(cmd, { base, target, diff: report }, (r, palette) => colorDiff(r.diff, palette));
    });
}
