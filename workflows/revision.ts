import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  reportBySignal,
  resumeUpdate,
  revisionStatusQuery,
  supersedeSignal,
  suspendUpdate,
  terminateUpdate,
  type RevisionResult,
  type RevisionWorkflowInput,
  type StepOperationRequest,
} from './messages.js';
import { RevisionRun } from './revision-run.js';

/**
 * `rev/<ns>/<app>-v<N>`: executes one revision. It reads nothing but its input snapshot, so what
 * it deploys never depends on later edits to the draft or the catalog.
 */
export async function revision(input: RevisionWorkflowInput): Promise<RevisionResult> {
  const run = new RevisionRun(input);

  setHandler(revisionStatusQuery, () => run.statusView());
  setHandler(suspendUpdate, (req) => run.suspend(req), {
    validator: (req: StepOperationRequest) => run.validateStep(req),
  });
  setHandler(resumeUpdate, (req) => run.resume(req), {
    validator: (req: StepOperationRequest) => run.validateStep(req),
  });
  setHandler(terminateUpdate, (req) => run.terminate(req.reason), {
    validator: (_req) => run.validateRunning(),
  });
  setHandler(supersedeSignal, ({ by, reason }) => run.superseded(by, reason));
  setHandler(reportBySignal, () => run.reportBySignalFromNowOn());

  const result = await run.execute();
  // A terminate update that raced with the end of the run still gets its answer.
  await condition(allHandlersFinished);
  return result;
}
