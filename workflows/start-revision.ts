import {
  ChildWorkflowFailure,
  ParentClosePolicy,
  patched,
  startChild,
  TerminatedFailure,
  CancelledFailure,
  TimeoutFailure,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { appKey } from '../model/ids.js';
import { addInventory } from '../model/revision-history.js';
import { isFinalStatus, type RevisionMetadata, type RevisionStatus } from '../model/revision.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import * as acts from './activities.js';
import { nextFence, type EntityContext } from './entity-context.js';
import { Patch } from './patches.js';
import { revision as revisionWorkflow } from './revision.js';
import {
  RevelaApp,
  RevelaHash,
  RevelaPhase,
  RevelaPublishVersion,
  RevelaRevision,
} from './search-attributes.js';

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
 * Starts a run of a revision's workflow with its snapshot (a new revision, or a restart). Awaited
 * so the answer names a workflow that exists: a client may open it at once. Returns the run id;
 * the caller records the revision as started only then.
 */
export async function startRevision(
  ctx: EntityContext,
  meta: RevisionMetadata,
  snapshot: RevisionSnapshot,
  restartFromStep: string | undefined,
): Promise<string> {
  const { state } = ctx;
  const { status: _s, succeeded: _ok, endTime: _e, beginTime: _b, ...identity } = meta;
  const fenced = patched(Patch.watchChild);
  const handle = await startChild(revisionWorkflow, {
    workflowId: meta.workflowId,
    args: [
      {
        app: { namespace: state.namespace, name: state.name },
        revision: identity,
        snapshot,
        applicationWorkflowId: ctx.id,
        inventory: state.inventory,
        ...(restartFromStep ? { restartFromStep } : {}),
        settings: state.settings,
        ...(fenced ? { fence: nextFence(state) } : {}),
      },
    ],
    // The entity continues as new while revisions run; they report back by signal.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: `${meta.name}${meta.publishVersion ? ` (${meta.publishVersion})` : ''} of ${appKey(state.namespace, state.name)} · hash ${meta.hash}`,
    staticDetails: meta.sourceRevision ? `re-published from ${meta.sourceRevision}` : undefined,
    typedSearchAttributes: [
      { key: RevelaApp, value: appKey(state.namespace, state.name) },
      { key: RevelaRevision, value: meta.name },
      { key: RevelaHash, value: meta.hash },
      { key: RevelaPhase, value: 'Executing' },
      ...(meta.publishVersion ? [{ key: RevelaPublishVersion, value: meta.publishVersion }] : []),
    ],
    memo: { app: appKey(state.namespace, state.name), revision: meta.name },
  });
  const runId = handle.firstExecutionRunId;
  if (fenced) {
    // A run terminated from outside (the Temporal UI, `temporal workflow terminate`) sends no
    // report: its close tells the entity instead, while this entity run lives. After
    // continue-as-new, supersession asks Temporal (see supersede.ts).
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
    void handle.result().then(
      (result) => {
        ctx.watchedRuns.set(runId, true);
        closed(result?.status ?? 'Succeeded', result?.message ?? 'finished');
      },
      (err: unknown) => {
        ctx.watchedRuns.set(runId, true);
        const { status, message } = closedStatus(err);
        if (!unreported() || !patched(Patch.reportAtEnd)) return closed(status, message);
        // Runs since 0.3 report what they applied only at their end; this one never will, so
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
  return runId;
}
