import { condition, getExternalWorkflowHandle } from '@temporalio/workflow';
import type { EntityContext } from './entity-context.js';
import { reportBySignal } from './messages.js';

/** How long to wait for the close of a run that could no longer be told (it had just closed). */
const CLOSE_BOUND_MS = 60_000;

/**
 * Before continue-as-new. Runs started with `reportByResult` tell this entity run their end by
 * their result, and the next run would never see it: each open one is told to report by signal.
 * A delivered signal is enough — the server closes no workflow while a signal is unhandled, so the
 * run sees it before it ends — and one that had closed meanwhile is waited for: its close reaches
 * this run, which still lives.
 *
 * @returns whether there was a run to hand over (a request may have started another meanwhile,
 *   so the caller waits for its handlers and asks again)
 */
export async function handOverRuns(ctx: EntityContext): Promise<boolean> {
  const open = [...ctx.resultRuns].filter(([runId]) => ctx.watchedRuns.get(runId) === false);
  ctx.resultRuns.clear();
  if (open.length === 0) return false;
  await Promise.all(
    open.map(async ([runId, workflowId]) => {
      try {
        await getExternalWorkflowHandle(workflowId, runId).signal(reportBySignal);
      } catch {
        await condition(() => ctx.watchedRuns.get(runId) === true, CLOSE_BOUND_MS);
      }
    }),
  );
  return true;
}
