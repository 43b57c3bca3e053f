import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { checkRevisionOf, contextOption } from '../options.js';
import { colorDiff } from '../output/diff-text.js';

export interface LiveDiffCommandOptions {
  readonly revision?: string;
  readonly context?: number;
  readonly rendered?: boolean;
}

/** `--revision A` or `--revision A,B` → the revisions, checked against the application. */
export function parseRevisionPair(app: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  const revisions = value.split(',').map((r) => r.trim());
  if (revisions.length > 2 || revisions.some((r) => r === '')) {
    throw new CliUsageError(
      `--revision takes one revision or two separated by a comma (A,B), got "${value}"`,
    );
  }
  for (const r of revisions) checkRevisionOf(app, r);
  return revisions;
}

/** `revela live-diff NAME [--revision A[,B]] [-c N] [--rendered]`. */
export function liveDiffCommand(ctx: CliContext): Command {
  return new Command('live-diff')
    .summary('what publishing the draft would change (or what changed between two revisions)')
    .description(
      'Compare the saved draft — with the current catalog: external policies, workflow, definitions —\n' +
        'with the current revision (or --revision A), or compare two revisions (--revision A,B).\n' +
        'Each object reads "has been added(+)", "modified(*)", "removed(-)" or "has no change".',
    )
    .argument('<name>', 'the application')
    .option('--revision <A[,B]>', 'compare the draft with A, or A with B')
    .addOption(contextOption())
    .option('--rendered', 'compare the rendered Kubernetes objects per cluster instead of the documents')
    .addHelpText(
      'after',
      `
Examples:
  revela live-diff podinfo -n examples
  revela live-diff podinfo -n examples -c 2
  revela live-diff podinfo -n examples --revision podinfo-v1,podinfo-v2 --rendered`,
    )
    .action(async (name: string, options: LiveDiffCommandOptions, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      const revisions = parseRevisionPair(name, options.revision);
      const client = await ctx.client(cmd);
      const report = await client.diffs.liveDiff(
        { name, namespace },
        {
          revisions,
          ...(options.context !== undefined ? { context: options.context } : {}),
          ...(options.rendered ? { rendered: true } : {}),
        },
      );
      ctx.emit(cmd, { revisions, diff: report }, (r, palette) => colorDiff(r.diff, palette));
    });
}
