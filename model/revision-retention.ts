/**
 * How many revisions an application keeps: the rules of retention of its revision history
 * (`revision-history.ts`).
 *
 * Workflow-safe.
 */
import { isFinalStatus } from './revision.js';
import type { RevisionHistory } from './revision-history.js';

/**
 * How many revisions to keep: the current revision's `garbage-collect` policy's
 * `applicationRevisionLimit`, or `defaultLimit`.
 */
export function revisionLimit(h: RevisionHistory, defaultLimit: number): number {
  const current = h.current ? h.snapshots[h.current] : undefined;
  const gc = current?.application.spec.policies?.find((p) => p.type === 'garbage-collect');
  const configured = (gc?.properties as { applicationRevisionLimit?: unknown } | undefined)
    ?.applicationRevisionLimit;
  return typeof configured === 'number' && configured >= 0 ? configured : defaultLimit;
}

/**
 * Keeps the newest `limit` revisions, then prunes further while retained snapshots exceed
 * `budgetBytes`. The current and the latest succeeded revision, and revisions still running, are
 * never pruned; numbers are never reused.
 *
 * @returns the pruned revisions with why, oldest first
 */
export function prune(
  h: RevisionHistory,
  retention: { limit: number; budgetBytes: number },
): { name: string; why: string }[] {
  const protectedNames = new Set([h.current, h.latestSucceeded].filter((n): n is string => !!n));
  const removable = () => h.revisions.filter((r) => !protectedNames.has(r.name) && isFinalStatus(r.status));
  const size = () => Object.values(h.snapshots).reduce((sum, s) => sum + s.size, 0);
  const dropped: { name: string; why: string }[] = [];
  const drop = (name: string, why: string) => {
    h.revisions = h.revisions.filter((r) => r.name !== name);
    delete h.snapshots[name];
    delete h.runIds[name];
    dropped.push({ name, why });
  };
  while (h.revisions.length > retention.limit) {
    const oldest = removable()[0];
    if (!oldest) break;
    drop(oldest.name, `more than ${retention.limit} revisions`);
  }
  while (size() > retention.budgetBytes) {
    const oldest = removable()[0];
    if (!oldest) break;
    drop(oldest.name, `retained snapshots exceed ${retention.budgetBytes} bytes`);
  }
  return dropped;
}
