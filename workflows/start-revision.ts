import { ParentClosePolicy, patched, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { appKey } from '../model/ids.js';
import type { RevisionMetadata } from '../model/revision.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
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
import { watchRun } from './watch-run.js';

/**
 * Starts a run of a revision's workflow with its snapshot (a new revision, or a restart). Returns
 * the run id once the start is confirmed. A restart awaits it before it answers; a publish
 * answers as it requests the start (`Patch.answerAtStart`) and the client waits for the workflow
 * to exist, so either way the answer names a workflow a client may open at once.
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
  const byResult = fenced && patched(Patch.reportByResult);
  const fence = fenced ? nextFence(state) : undefined;
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
        ...(fence !== undefined ? { fence } : {}),
        ...(byResult ? { reportByResult: true } : {}),
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
  // Started, so about to be current (the callers record it in this same workflow task).
  if (fence !== undefined) state.currentFence = fence;
  // Watched while this entity run lives: runs terminated from outside send no report.
  if (fenced) watchRun(ctx, meta, handle, byResult);
  return handle.firstExecutionRunId;
}
