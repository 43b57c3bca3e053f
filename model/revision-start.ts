/**
 * A revision made current as its workflow's start is requested, before the start is confirmed:
 * the publish is answered in the same workflow task that requests the start (issue 13), so a
 * status read right after the answer already shows the new revision. When the start then fails,
 * the revision is kept as `Failed` and the revision current before it is current again.
 *
 * Workflow-safe.
 */
import { recordStartFailed, type RevisionHistory } from './revision-history.js';
import type { RevisionMetadata } from './revision.js';

/** What {@link undoStart} needs to put back. */
export interface PendingStart {
  readonly meta: RevisionMetadata;
  /** The revision current before this one, if any. */
  readonly previous: string | undefined;
}

/**
 * Makes `meta` (already recorded by `recordAllocated`) current while its workflow starts.
 *
 * @example
 * ```ts
 * const pending = recordStarting(history, meta);
 * // … the start failed:
 * undoStart(history, pending, 'workflow id in use', now);
 * ```
 */
export function recordStarting(h: RevisionHistory, meta: RevisionMetadata): PendingStart {
  const previous = h.current;
  h.current = meta.name;
  return { meta, previous };
}

/**
 * The start of `pending` failed: it is `Failed` (its number stays used, nothing was applied) and
 * the revision current before it is current again, unless another became current meanwhile.
 */
export function undoStart(h: RevisionHistory, pending: PendingStart, message: string, now: string): void {
  if (h.current === pending.meta.name) {
    if (pending.previous === undefined) delete h.current;
    else h.current = pending.previous;
  }
  recordStartFailed(pending.meta, message, now);
}
