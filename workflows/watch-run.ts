import {
  CancelledFailure,
  ChildWorkflowFailure,
  patched,
  TerminatedFailure,
  TimeoutFailure,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { addInventory } from '../model/revision-history.js';
import { isFinalStatus, type RevisionMetadata, type RevisionStatus } from '../model/revision.js';
import * as acts from './activities.js';
import type { EntityContext } from './entity-context.js';
import { Patch } from './patches.js';
import type { revision as revisionWorkflow } from './revision.js';

/** How a revision run that closed without a final report ended, from its close. */
function closedStatus(err: unknown): { status: RevisionStatus; message: string } {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof TerminatedFailure)
    return { status: 'Terminated', message: 'terminated outside Revela' };
  if (cause instanceof CancelledFailure) return { status: 'Terminated', message: 'cancelled' };
  if (cause instanceof TimeoutFailure) return { status: 'Failed', message: 'timed out' };
  return { status: 'Failed', message: cause instanceof Error ? cause.message : String(cause) };
}

/**
 * Watches a revision run this entity run started, until it closes. Its result is its final report
 * when it was started with `reportByResult` and ended by its own steps. A run terminated from
 * outside (the Temporal UI, `temporal workflow terminate`) sends no report: its close tells the
 * entity instead, and what its memo says it applied goes into the inventory. After
 * continue-as-new nobody sees the close: the entity hands such runs over to signals first
 * (`handOverRuns`), and supersession asks Temporal (see supersede.ts).
 */
export function watchRun(
  ctx: EntityContext,
  meta: RevisionMetadata,
  handle: ChildWorkflowHandle<typeof revisionWorkflow>,
  byResult: boolean,
): void {
  const { state } = ctx;
  const runId = handle.firstExecutionRunId;
  const unreported = () => state.runIds[meta.name] === runId && !isFinalStatus(meta.status);
  const closed = (status: RevisionStatus, message: string) => {
    if (!unreported()) return;
    meta.status = status;
    meta.succeeded = status === 'Succeeded';
    meta.description ??= message;
    meta.endTime ??= new Date().toISOString();
    ctx.audit('finish', meta.name, `${meta.name} ${status}: ${message} (no report)`);
    ctx.publishVisibility();
  };
  ctx.watchedRuns.set(runId, false);
  if (byResult) ctx.resultRuns.set(runId, meta.workflowId);
  void handle.result().then(
    (result) => {
      ctx.watchedRuns.set(runId, true);
      if (byResult && result && unreported()) {
        ctx.onReport({
          revision: meta.name,
          runId,
          status: result.status,
          ...(result.message !== undefined ? { message: result.message } : {}),
          endTime: result.endTime ?? new Date().toISOString(),
          applied: result.applied,
          deleted: result.deleted,
        });
        return;
      }
      closed(result?.status ?? 'Succeeded', result?.message ?? 'finished');
    },
    (err: unknown) => {
      ctx.watchedRuns.set(runId, true);
      const { status, message } = closedStatus(err);
      if (!unreported() || !patched(Patch.reportAtEnd)) return closed(status, message);
      // Runs since `Patch.reportAtEnd` report what they applied only at their end; this one never will, so
      // what its memo says it applied goes into the inventory, for a later collection.
      void acts.control.describeWorkflow({ workflowId: meta.workflowId, runId }).then(
        (run) => {
          if (run.applied) addInventory(state, run.applied);
          closed(status, message);
        },
        () => closed(status, message),
      );
    },
  );
}
