import type { RollbackResult } from '../../workflows/messages.js';
import { colorDiff } from './diff-text.js';
import { PLAIN, type Palette } from './palette.js';

/**
 * `revela rollback`: what was (or, with `--dry-run`, would be) done.
 *
 * @example
 * rolled back from podinfo-v2 to podinfo-v1: 2 object(s) applied, 0 deleted; podinfo-v2 is RolledBack
 */
export function formatRollback(result: RollbackResult, palette: Palette = PLAIN): string {
  if (result.dryRun) {
    const diff =
      result.diff.trim() === '' ? '(no difference in rendered objects)' : colorDiff(result.diff, palette);
    return `dry run: rolling back from ${result.from} to ${result.to} would change:\n${diff}`;
  }
  return (
    `rolled back from ${result.from} to ${result.to}: ${result.applied} object(s) applied, ${result.deleted} deleted; ` +
    `${result.from} is RolledBack`
  );
}
