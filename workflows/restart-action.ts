import { currentRevision, markRunning, recordStarted, requireRevision } from '../model/revision-history.js';
import { isFinalStatus } from '../model/revision.js';
import { planWorkflow } from '../model/workflow-plan.js';
import type { ApplicationState, EntityContext } from './entity-context.js';
import { reject, RejectionType } from './failures.js';
import type { OperationResult, RestartRequest } from './messages.js';
import { startRevision } from './start-revision.js';
import { supersede } from './supersede.js';

/**
 * A restart's step must be a top-level step of the current revision's plan: a run "restarted from"
 * a step it does not have would keep nothing, apply nothing and report `Succeeded` — and then be a
 * rollback target.
 *
 * @throws ApplicationFailure `RevisionNotRunning` without a revision, `StepNotFound` for an unknown step
 */
export function validateRestart(state: ApplicationState, req: RestartRequest): void {
  const current = currentRevision(state);
  if (!current) {
    throw reject(RejectionType.RevisionNotRunning, `${state.namespace}/${state.name} has no revision yet`);
  }
  if (req.step === undefined) return;
  const snapshot = state.snapshots[current.name];
  if (!snapshot) return;
  const steps = planWorkflow(snapshot).steps.map((s) => s.name);
  if (!steps.includes(req.step)) {
    throw reject(
      RejectionType.StepNotFound,
      `${current.name} has no step "${req.step}" to restart from (steps: ${steps.join(', ')})`,
    );
  }
}

/** Re-runs the current revision (from `step` if given) in a new run of the same workflow id. */
export async function restartAction(ctx: EntityContext, req: RestartRequest): Promise<OperationResult> {
  // Checked again under the lock: a publish may have changed the current revision meanwhile.
  validateRestart(ctx.state, req);
  const current = currentRevision(ctx.state);
  if (!current) throw reject(RejectionType.RevisionNotRunning, 'no revision to restart');
  if (!isFinalStatus(current.status)) await supersede(ctx, current, current.name, 'restarted');
  const { snapshot } = requireRevision(ctx.state, current.name);
  markRunning(current);
  const runId = await startRevision(ctx, current, snapshot, req.step);
  recordStarted(ctx.state, current, runId);
  const message = `restarted ${current.name}${req.step ? ` from step ${req.step}` : ''}`;
  ctx.audit('restart', current.name, message);
  return { revision: current.name, message };
}
