import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  sleep,
} from '@temporalio/workflow';
import { addInventory, recordStopped, type StopReason } from '../model/revision-history.js';
import { isFinalStatus, type RevisionMetadata } from '../model/revision.js';
import * as acts from './activities.js';
import type { EntityContext } from './entity-context.js';
import { supersedeSignal } from './messages.js';
import { Patch } from './patches.js';

/** How often supersession asks Temporal about a run that has not reported its end. */
const DESCRIBE_EVERY_MS = 2000;

/**
 * Stops a running revision before another takes over: tell it why, request cancellation (its
 * activities stop through heartbeats), wait for its final report — asking Temporal for the run's
 * real state when none comes, so a run terminated from outside does not cost the whole bound —
 * and terminate it if it has not ended within the bound. Only then may the next writer start.
 *
 * @returns whether the run acknowledged (reported its end, or had ended) before the bound
 */
export async function supersede(
  ctx: EntityContext,
  meta: RevisionMetadata,
  by: string,
  reason: StopReason,
): Promise<boolean> {
  const { state } = ctx;
  const runId = state.runIds[meta.name];
  const handle = getExternalWorkflowHandle(meta.workflowId, runId);
  const ignoreClosed = (err: unknown) => {
    // The run may have closed on its own meanwhile; its final report is on its way.
    if (!(err instanceof Error)) throw err;
  };
  await handle.signal(supersedeSignal, { by, reason }).catch(ignoreClosed);
  await handle.cancel().catch(ignoreClosed);
  const bound = state.settings.supersedeTimeoutMs;
  const until = Date.now() + bound;
  let acknowledged = patched(Patch.supersedeDescribe)
    ? await waitForEnd(ctx, meta, runId, bound)
    : await condition(() => isFinalStatus(meta.status), bound);
  // The final report comes a moment before the run closes. The next writer (or a restart, which
  // reuses the workflow id) starts only once the run is really closed.
  if (acknowledged && patched(Patch.waitForClose)) acknowledged = await waitForClose(ctx, meta, runId, until);
  if (!acknowledged) {
    const terminated = await CancellationScope.nonCancellable(() =>
      acts.control.terminateWorkflow({
        workflowId: meta.workflowId,
        ...(runId ? { runId } : {}),
        reason: `${reason} by ${by}; did not acknowledge cancellation within ${bound} ms`,
      }),
    );
    // A terminated run sends no final report: what its memo says it applied stays collectable.
    // (Histories recorded before `Patch.reportAtEnd` got no answer from this activity.)
    if (terminated?.applied) addInventory(state, terminated.applied);
  }
  recordStopped(meta, { reason, by, acknowledged, now: new Date().toISOString() });
  ctx.audit(
    'supersede',
    meta.name,
    `${meta.name} ${reason} by ${by}${acknowledged ? '' : ' (terminated after timeout)'}`,
  );
  return acknowledged;
}

/**
 * Waits up to `boundMs` for the run's final report; between waits, asks Temporal whether the run
 * is still open. A run that closed without reporting (terminated from the UI, failed) is recorded
 * with how it closed.
 */
async function waitForEnd(
  ctx: EntityContext,
  meta: RevisionMetadata,
  runId: string | undefined,
  boundMs: number,
): Promise<boolean> {
  const until = Date.now() + boundMs;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return false;
    if (await condition(() => isFinalStatus(meta.status), Math.min(DESCRIBE_EVERY_MS, left))) return true;
    const run = await describeRun(meta, runId);
    if (isFinalStatus(meta.status)) return true;
    if (run.open) continue;
    if (run.applied) addInventory(ctx.state, run.applied);
    meta.status = run.status;
    meta.succeeded = run.status === 'Succeeded';
    meta.description ??= run.message;
    meta.endTime ??= new Date().toISOString();
    ctx.audit('finish', meta.name, `${meta.name} ${run.status}: ${run.message} (no report)`);
    return true;
  }
}

/** How often supersession asks Temporal whether a run that reported its end has closed. */
const CLOSE_POLL_MS = 200;

/**
 * Waits until the run has closed, by its close when this entity run started it, else by asking
 * Temporal. False when it is still open at `until`: the caller terminates it.
 */
async function waitForClose(
  ctx: EntityContext,
  meta: RevisionMetadata,
  runId: string | undefined,
  until: number,
): Promise<boolean> {
  const watched = runId !== undefined ? ctx.watchedRuns.get(runId) : undefined;
  if (watched !== undefined && runId !== undefined) {
    return condition(() => ctx.watchedRuns.get(runId) === true, Math.max(until - Date.now(), 0));
  }
  for (;;) {
    const run = await describeRun(meta, runId);
    if (!run.open) return true;
    if (Date.now() + CLOSE_POLL_MS > until) return false;
    await sleep(CLOSE_POLL_MS);
  }
}

/** Temporal's view of the run (open or how it closed), by run id when the entity knows it. */
function describeRun(meta: RevisionMetadata, runId: string | undefined) {
  return acts.control.describeWorkflow({ workflowId: meta.workflowId, ...(runId ? { runId } : {}) });
}
