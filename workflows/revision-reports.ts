import { getExternalWorkflowHandle, isCancellation, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { InventoryEntry } from '../model/inventory.js';
import type { RevisionReport } from '../model/revision-history.js';
import type { RevisionStatus } from '../model/revision.js';
import { revisionReportSignal } from './messages.js';

/** What a report says of its run, read when it goes. */
export interface ReportedRun {
  readonly revision: string;
  readonly status: RevisionStatus;
  readonly message: string | undefined;
  readonly endTime: string | undefined;
  /** Every object the run applied so far. */
  readonly applied: ReadonlyMap<string, InventoryEntry>;
}

/**
 * What the entity hears from one revision run: its status and the objects applied and deleted
 * since the last report, by signal. Runs since `Patch.reportAtEnd` send one report, at their end,
 * and keep what they applied so far in their memo meanwhile (the entity reads it only when a run
 * ends without reporting); before, every lane's writes and every collection sent one at once.
 */
export class RevisionReports {
  private applied: InventoryEntry[] = [];
  private deleted: InventoryEntry[] = [];

  constructor(
    private readonly run: ReportedRun,
    private readonly entityId: string,
    private readonly atEnd: boolean,
  ) {}

  /** An object the run applied (or, for steps kept by a restart, would have applied). */
  recordApplied(entry: InventoryEntry): void {
    this.applied.push(entry);
  }

  /** After a lane's (or an object step's) writes: what the run applied becomes readable outside it. */
  progress(): void {
    if (this.atEnd) upsertMemo({ applied: [...this.run.applied.values()] });
    else void this.send();
  }

  /** Garbage collection deleted `entries`. */
  recordDeleted(entries: InventoryEntry[]): void {
    this.deleted.push(...entries);
    if (!this.atEnd) void this.send();
  }

  /** Tells the entity the run's status and what was applied and deleted since the last report. */
  async send(): Promise<void> {
    const { applied, deleted, run } = this;
    this.applied = [];
    this.deleted = [];
    const report: RevisionReport = {
      revision: run.revision,
      runId: workflowInfo().runId,
      status: run.status,
      ...(run.message !== undefined ? { message: run.message } : {}),
      ...(run.endTime ? { endTime: run.endTime } : {}),
      ...(applied.length > 0 ? { applied } : {}),
      ...(deleted.length > 0 ? { deleted } : {}),
    };
    try {
      await getExternalWorkflowHandle(this.entityId).signal(revisionReportSignal, report);
    } catch (err) {
      // The entity is gone (deleted by an operator) or this scope was cancelled mid-signal: the
      // final report is sent again from a non-cancellable scope, so nothing else to do here.
      if (!isCancellation(err) && !(err instanceof Error)) throw err;
    }
  }
}
