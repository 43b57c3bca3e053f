import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { revisionDiffCommand } from './revision-diff.js';
import { revisionGetCommand } from './revision-get.js';
import { revisionListCommand } from './revision-list.js';

/** `revela revision list|get|diff`. */
export function revisionCommand(ctx: CliContext): Command {
  return new Command('revision')
    .summary('list, show and compare the revisions of an application')
    .addCommand(revisionListCommand(ctx))
    .addCommand(revisionGetCommand(ctx))
    .addCommand(revisionDiffCommand(ctx))
    .addHelpText(
      'after',
      `
Examples:
  revela revision list podinfo -n examples
  revela revision get podinfo-v1 -n examples -o yaml
  revela revision diff podinfo podinfo-v1 podinfo-v2 -n examples --rendered`,
    );
}
