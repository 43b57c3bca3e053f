import {
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { appKey, stateKeepWorkflowId } from '../model/ids.js';
import type { AuditEntry } from '../model/revision-history.js';
import type { EntityContext } from './entity-context.js';
import { Patch } from './patches.js';
import { RevelaApp } from './search-attributes.js';
import { stateKeep } from './state-keep.js';
import { stateKeepWakeSignal, type StateKeepReport } from './state-keep-messages.js';

/**
 * Called when a revision or a rollback of the application succeeded: starts the application's
 * state-keep workflow the first time (it then lives on its own, abandoned by the entity), and wakes
 * it afterwards so it checks the new revision now. Histories recorded before state keep replay
 * without these commands.
 */
export async function keepState(ctx: EntityContext): Promise<void> {
  if (!patched(Patch.stateKeep)) return;
  const { state } = ctx;
  const workflowId = stateKeepWorkflowId(state.namespace, state.name);
  if (state.stateKeepStarted) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(stateKeepWakeSignal);
      return;
    } catch {
      // It was terminated from outside: start it again.
    }
  }
  try {
    await startChild(stateKeep, {
      workflowId,
      args: [
        {
          app: { namespace: state.namespace, name: state.name },
          applicationWorkflowId: ctx.id,
          settings: state.settings,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `state keep of ${appKey(state.namespace, state.name)}`,
      typedSearchAttributes: [{ key: RevelaApp, value: appKey(state.namespace, state.name) }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await getExternalWorkflowHandle(workflowId).signal(stateKeepWakeSignal);
  }
  state.stateKeepStarted = true;
}

/** The audit line of a state-keep repair: `state keep restored Deployment/extra on local`. */
export function stateKeepAudit(report: StateKeepReport): { action: AuditEntry['action']; message: string } {
  const what = report.restored.map((r) => `${r.object} on ${r.cluster}`).join(', ');
  return { action: 'state-keep', message: `state keep restored ${what}` };
}
