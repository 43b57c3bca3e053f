/**
 * The rules of an application's revision history — number allocation, the apply/publish rules,
 * the rollback target, retention, the inventory of what revisions applied, and how reports and
 * stops change a revision's status. The application entity workflow keeps a `RevisionHistory` in
 * its state and only wires these rules to messages, activities and children (helm keeps its
 * release rules in a storage layer for the same reason): everything here is deterministic, takes
 * time as an argument and is unit-tested without Temporal.
 *
 * Functions mutate the history they are given: it is the entity's state, carried across
 * continue-as-new as plain data.
 *
 * Workflow-safe.
 */
import type { Application } from './application.js';
import { applicationPublishVersion } from './application.js';
import type { InventoryEntry } from './inventory.js';
import { withEntries, withoutEntries } from './inventory.js';
import { revisionName, revisionWorkflowId } from './ids.js';
import { Rejection, RejectionType } from './rejection.js';
import { isFinalStatus, type RevisionMetadata, type RevisionStatus } from './revision.js';
import type { RevisionSnapshot } from './snapshot.js';

/** Everything the entity knows about its revisions. */
export interface RevisionHistory {
  namespace: string;
  name: string;
  /** Next revision number; numbers are never reused, even after pruning. */
  nextNumber: number;
  /** Retained revisions, oldest first. */
  revisions: RevisionMetadata[];
  snapshots: Record<string, RevisionSnapshot>;
  current?: string;
  latestSucceeded?: string;
  /** Run id of each revision's latest run, so reports of a replaced run are ignored. */
  runIds: Record<string, string>;
  inventory: InventoryEntry[];
  /** Newest first, bounded by {@link AUDIT_LIMIT}. */
  audit: AuditEntry[];
}

export interface AuditEntry {
  time: string;
  action:
    | 'apply'
    | 'publish'
    | 'republish'
    | 'rollback'
    | 'restart'
    | 'supersede'
    | 'finish'
    | 'prune'
    | 'start-failed'
    | 'state-keep'
    | 'delete';
  revision?: string;
  message: string;
}

export const AUDIT_LIMIT = 100;

/** Sent by a revision workflow to its application whenever its status or inventory changes. */
export interface RevisionReport {
  revision: string;
  /** Run id of the reporting run: a restarted revision's old run must not overwrite the new one. */
  runId: string;
  status: RevisionStatus;
  message?: string;
  endTime?: string;
  /** Objects applied since the last report. */
  applied?: InventoryEntry[];
  /** Objects deleted by garbage collection. */
  deleted?: InventoryEntry[];
}

/** KubeVela's application phases. */
export type ApplicationPhase =
  | 'starting'
  | 'rendering'
  | 'runningWorkflow'
  | 'workflowSuspending'
  | 'workflowTerminated'
  | 'workflowFailed'
  | 'running'
  | 'unhealthy'
  /** The application was deleted; its entity is ending. */
  | 'deleted';

const PHASE_BY_STATUS: Record<RevisionStatus, ApplicationPhase> = {
  Pending: 'starting',
  Executing: 'runningWorkflow',
  Suspended: 'workflowSuspending',
  Succeeded: 'running',
  Failed: 'workflowFailed',
  Terminated: 'workflowTerminated',
  RolledBack: 'workflowTerminated',
};

/** Why a running revision is stopped by the entity. */
export type StopReason = 'superseded' | 'rolled back' | 'restarted';

// ---------------------------------------------------------------------------------------------
// Lookups

export function findRevision(h: RevisionHistory, name: string | undefined): RevisionMetadata | undefined {
  return name ? h.revisions.find((r) => r.name === name) : undefined;
}

export function currentRevision(h: RevisionHistory): RevisionMetadata | undefined {
  return findRevision(h, h.current);
}

/** @throws Rejection `RevisionNotFound`, naming the retained revisions */
export function requireRevision(
  h: RevisionHistory,
  name: string,
): { metadata: RevisionMetadata; snapshot: RevisionSnapshot } {
  const metadata = findRevision(h, name);
  const snapshot = h.snapshots[name];
  if (!metadata || !snapshot) {
    const known = h.revisions.map((r) => r.name).join(', ') || 'none';
    throw new Rejection(RejectionType.RevisionNotFound, `revision ${name} not found (retained: ${known})`);
  }
  return { metadata, snapshot };
}

/** The application's phase follows its current revision's status. */
export function phaseOf(h: RevisionHistory): ApplicationPhase {
  const current = currentRevision(h);
  return current ? PHASE_BY_STATUS[current.status] : 'starting';
}

// ---------------------------------------------------------------------------------------------
// Publishing

/** What `apply` does with a resolved application: publish it, or only save the draft. */
export type ApplyDecision =
  | { publish: true; publishVersion: string | undefined }
  | { publish: false; message: string; audit: string; revision: string };

/**
 * ARCHITECTURE §4: a new publishVersion always publishes; an edit under the current one only
 * saves the draft; without a publishVersion, a changed hash publishes.
 */
export function applyDecision(
  h: RevisionHistory,
  application: Application,
  snapshot: Pick<RevisionSnapshot, 'hash'>,
): ApplyDecision {
  const current = currentRevision(h);
  const publishVersion = applicationPublishVersion(application);
  if (current && publishVersion !== undefined && current.publishVersion === publishVersion) {
    const changed = current.hash !== snapshot.hash;
    return {
      publish: false,
      revision: current.name,
      audit: changed ? 'draft saved; nothing runs until a new publishVersion' : 'no change',
      message: changed
        ? `draft saved; publishVersion ${publishVersion} is already published as ${current.name}, so nothing runs — publish a new version to deploy it`
        : `no change: ${current.name} (${publishVersion}) already has this content`,
    };
  }
  if (current && publishVersion === undefined && current.hash === snapshot.hash) {
    return {
      publish: false,
      revision: current.name,
      audit: 'no change',
      message: `no change: ${current.name} already has hash ${snapshot.hash}`,
    };
  }
  return { publish: true, publishVersion };
}

/** @throws Rejection `PublishVersionInUse` when `publishVersion` is the current revision's */
export function checkPublishVersionFree(h: RevisionHistory, publishVersion: string): void {
  const current = currentRevision(h);
  if (current?.publishVersion === publishVersion) {
    throw new Rejection(
      RejectionType.PublishVersionInUse,
      `publishVersion ${publishVersion} is the current one (${current.name}); choose a new version`,
    );
  }
}

/**
 * Takes the next revision number for a snapshot. The number is used from here on even if the
 * revision never starts: numbers are never reused. Nothing is recorded until
 * {@link recordStarted} or {@link recordStartFailed}.
 */
export function allocateRevision(
  h: RevisionHistory,
  request: {
    snapshot: Pick<RevisionSnapshot, 'hash' | 'size'>;
    publishVersion: string | undefined;
    sourceRevision: string | undefined;
    now: string;
  },
): RevisionMetadata {
  const number = h.nextNumber++;
  const name = revisionName(h.name, number);
  return {
    name,
    number,
    ...(request.publishVersion !== undefined ? { publishVersion: request.publishVersion } : {}),
    hash: request.snapshot.hash,
    size: request.snapshot.size,
    status: 'Executing',
    succeeded: false,
    beginTime: request.now,
    workflowId: revisionWorkflowId(h.namespace, name),
    ...(request.sourceRevision
      ? { sourceRevision: request.sourceRevision, description: `re-published from ${request.sourceRevision}` }
      : {}),
  };
}

/** A new run of `meta` is about to start: it executes again, whatever its last run ended as. */
export function markRunning(meta: RevisionMetadata): void {
  meta.status = 'Executing';
  meta.succeeded = false;
  delete meta.endTime;
}

/**
 * Records a newly allocated revision and its snapshot before its workflow starts, so a report the
 * new run sends at once finds it. It is not current yet.
 */
export function recordAllocated(
  h: RevisionHistory,
  meta: RevisionMetadata,
  snapshot: RevisionSnapshot,
): void {
  if (!findRevision(h, meta.name)) h.revisions.push(meta);
  h.snapshots[meta.name] = snapshot;
}

/** The revision workflow of `meta` started as run `runId`: it is the current revision. */
export function recordStarted(h: RevisionHistory, meta: RevisionMetadata, runId: string): void {
  h.current = meta.name;
  h.runIds[meta.name] = runId;
}

/**
 * The revision workflow of `meta` could not start: the revision is kept as `Failed` (its number is
 * used, nothing was applied) and the current revision does not change.
 */
export function recordStartFailed(meta: RevisionMetadata, message: string, now: string): void {
  meta.status = 'Failed';
  meta.succeeded = false;
  meta.endTime = now;
  meta.description = `did not start: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// Stopping, reports and rollback

/**
 * A running revision was stopped by the entity (`reason` by `by`). A run that finished on its own
 * (Succeeded, Failed) before the cancellation landed keeps its result; otherwise it is recorded as
 * stopped. A restarted revision keeps its status: the new run sets it.
 *
 * @param acknowledged whether the run reported its end (false: it was terminated after the bound)
 */
export function recordStopped(
  meta: RevisionMetadata,
  stop: { reason: StopReason; by: string; acknowledged: boolean; now: string },
): void {
  if (stop.reason === 'restarted') return;
  if (!stop.acknowledged || meta.status === 'Terminated') {
    meta.status = 'Terminated';
    meta.succeeded = false;
    meta.description = `${stop.reason} by ${stop.by}`;
    meta.endTime ??= stop.now;
  }
}

/**
 * What the entity learns from a report: `ignored` (a replaced run), `inventory` (objects of a
 * pruned revision), or `recorded` with the revision's status. A final status stands: reports of
 * one run may arrive out of order (an "Executing" sent just before "Failed" can land after it),
 * and a rolled-back revision keeps that status whatever its cancelled run says last. Only a new
 * run (restart) starts over, with a new run id.
 */
export function applyReport(
  h: RevisionHistory,
  report: RevisionReport,
):
  | { kind: 'ignored' }
  | { kind: 'inventory' }
  | { kind: 'recorded'; meta: RevisionMetadata; finished: boolean } {
  const knownRun = h.runIds[report.revision];
  if (knownRun !== undefined && knownRun !== report.runId) return { kind: 'ignored' };
  if (report.applied) addInventory(h, report.applied);
  if (report.deleted) removeInventory(h, report.deleted);
  const meta = findRevision(h, report.revision);
  if (!meta) return { kind: 'inventory' };
  if (!isFinalStatus(meta.status)) meta.status = report.status;
  if (report.status === 'Succeeded') {
    meta.succeeded = true;
    const latest = findRevision(h, h.latestSucceeded);
    if (!h.latestSucceeded || (latest?.number ?? 0) < meta.number) h.latestSucceeded = meta.name;
  }
  if (report.endTime) meta.endTime = report.endTime;
  if (report.message && !meta.description) meta.description = report.message;
  return { kind: 'recorded', meta, finished: isFinalStatus(report.status) };
}

/**
 * The revision a rollback returns to: `to` when given (retained, succeeded, not current), else the
 * latest succeeded revision other than the current one.
 *
 * @throws Rejection `RevisionNotFound` or `NoSucceededRevision`
 */
export function rollbackTarget(h: RevisionHistory, to: string | undefined): RevisionMetadata {
  if (to !== undefined) {
    const { metadata } = requireRevision(h, to);
    if (!metadata.succeeded) {
      throw new Rejection(
        RejectionType.NoSucceededRevision,
        `${to} is ${metadata.status}, not a succeeded revision; only succeeded revisions can be rolled back to`,
      );
    }
    if (to === h.current) {
      throw new Rejection(RejectionType.NoSucceededRevision, `${to} is already the current revision`);
    }
    return metadata;
  }
  const target = h.revisions.filter((r) => r.succeeded && r.name !== h.current).at(-1);
  if (!target) {
    throw new Rejection(
      RejectionType.NoSucceededRevision,
      `${h.namespace}/${h.name} has no succeeded revision other than the current one to roll back to`,
    );
  }
  return target;
}

/** The revision a rollback left: it reads `RolledBack` everywhere; nothing of it is deleted. */
export function recordRolledBack(meta: RevisionMetadata, target: string, now: string): void {
  meta.status = 'RolledBack';
  meta.succeeded = false;
  meta.endTime ??= now;
  meta.description = `rolled back to ${target}`;
}

/**
 * A rollback succeeded: the clusters hold `target`'s objects (`applied`) and no longer those it
 * collected (`deleted`); `target` is current again.
 */
export function recordRollback(
  h: RevisionHistory,
  rollback: {
    from: RevisionMetadata;
    target: string;
    applied: InventoryEntry[];
    deleted: InventoryEntry[];
    now: string;
  },
): void {
  recordRolledBack(rollback.from, rollback.target, rollback.now);
  addInventory(h, rollback.applied);
  removeInventory(h, rollback.deleted);
  h.current = rollback.target;
}

/** What a rollback that applied `kept` must collect: everything else in the inventory. */
export function staleEntries(h: RevisionHistory, kept: readonly InventoryEntry[]): InventoryEntry[] {
  return withoutEntries(h.inventory, kept);
}

// ---------------------------------------------------------------------------------------------
// Inventory

export function addInventory(h: RevisionHistory, entries: readonly InventoryEntry[]): void {
  h.inventory = withEntries(h.inventory, entries);
}

export function removeInventory(h: RevisionHistory, entries: readonly InventoryEntry[]): void {
  h.inventory = withoutEntries(h.inventory, entries);
}

// Retention rules live beside these: one concept per file.
export { prune, revisionLimit } from './revision-retention.js';

// ---------------------------------------------------------------------------------------------
// Audit

/** Records one line of the audit log, newest first, keeping the last {@link AUDIT_LIMIT}. */
export function appendAudit(
  h: RevisionHistory,
  entry: { action: AuditEntry['action']; revision: string | undefined; message: string; now: string },
): void {
  h.audit.unshift({
    time: entry.now,
    action: entry.action,
    ...(entry.revision ? { revision: entry.revision } : {}),
    message: entry.message,
  });
  if (h.audit.length > AUDIT_LIMIT) h.audit.length = AUDIT_LIMIT;
}
