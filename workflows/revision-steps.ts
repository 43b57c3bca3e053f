import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { formatDuration, parseDuration } from '../model/duration.js';
import { evaluateStepCondition } from '../model/step-condition.js';
import { inputValues } from '../model/step-io.js';
import type { StepStatus } from '../model/step-status.js';
import type { PlannedStep } from '../model/workflow-plan.js';
import * as acts from './activities.js';
import { deploy } from './revision-deploy.js';
import { isKubeVelaStepType, runKubeVelaStep } from './revision-builtin-steps.js';
import type { RevisionRun } from './revision-run.js';

/*
 * One step of a revision run: its condition, suspension and approval, its timeout, and what each
 * step type does.
 */

/** The message of the deepest cause, without the SDK's wrapper text. */
export function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

export async function runStep(
  run: RevisionRun,
  step: PlannedStep,
  status: StepStatus,
  earlierFailed: boolean,
): Promise<void> {
  const statuses = Object.fromEntries(
    [...run.byName.entries()].map(([name, e]) => [name, { phase: e.status.phase, reason: e.status.reason }]),
  );
  const dependencyFailed = step.dependsOn.some((d) => run.byName.get(d)?.status.phase === 'failed');
  const shouldRun =
    step.if !== undefined
      ? evaluateStepCondition(step.if, statuses, inputValues(step.inputs ?? [], run.outputs))
      : !earlierFailed && !dependencyFailed;
  if (!shouldRun) {
    status.phase = 'skipped';
    status.reason = 'Skip';
    status.message = step.if !== undefined ? `if: ${step.if} is false` : 'an earlier step failed';
    run.publishVisibility();
    return;
  }

  await waitUntilReleased(run, step, status);
  const now = new Date().toISOString();
  status.firstExecuteTime ??= now;
  status.lastExecuteTime = now;
  status.phase = 'running';
  delete status.message;
  run.publishVisibility();

  const scope = new CancellationScope();
  let timedOut = false;
  let waitingFor: string[] = [];
  const timer = new CancellationScope({ cancellable: true });
  if (step.timeoutMs !== undefined) {
    void timer
      .run(async () => {
        await sleep(step.timeoutMs ?? 0);
        // Ask what the step is waiting for before stopping it: a retrying health check's
        // last failure is not visible to workflow code otherwise.
        const info = workflowInfo();
        waitingFor = await acts.control.waitingReasons({ workflowId: info.workflowId, runId: info.runId });
        timedOut = true;
        scope.cancel();
      })
      .catch(() => undefined);
  }
  try {
    const kept = await scope.run(() => executeStep(run, step, status));
    status.phase = 'succeeded';
    // Built-in steps keep what they did (print-message-in-status, the URL collected, …).
    if (kept !== undefined) status.message = kept;
    else delete status.message;
    delete status.reason;
  } catch (err) {
    if (timedOut) {
      status.phase = 'failed';
      status.reason = 'Timeout';
      const last = waitingFor.length > 0 ? waitingFor.join('; ') : status.message;
      status.message = `step did not finish within ${formatDuration(step.timeoutMs ?? 0)}${last ? `: ${last}` : ''}`;
      run.markRunningSteps('failed', 'Timeout', 'parent step timed out', status.subSteps);
    } else if (isCancellation(err)) {
      throw err;
    } else if (run.stoppedMidFailure()) {
      // Stopped while this step's failure was on its way: the run ends as stopped.
      throw new CancelledFailure(`${run.revision} was stopped`, [], err instanceof Error ? err : undefined);
    } else {
      status.phase = 'failed';
      status.reason = 'Failed';
      status.message = failureMessage(err);
    }
  } finally {
    timer.cancel();
    status.lastExecuteTime = new Date().toISOString();
    run.publishVisibility();
  }
}

/** Waits while the whole run or this step is suspended. */
async function waitUntilReleased(run: RevisionRun, step: PlannedStep, status: StepStatus): Promise<void> {
  const held = () => run.suspendedAll || run.suspendedSteps.has(step.name);
  if (!held()) return;
  status.phase = 'suspending';
  status.message = 'suspended: resume with `revela workflow resume`';
  run.refreshStatus();
  run.publishVisibility();
  await condition(() => !held());
  delete status.message;
  run.refreshStatus();
}

async function executeStep(
  run: RevisionRun,
  step: PlannedStep,
  status: StepStatus,
): Promise<string | undefined> {
  // KubeVela's other built-ins: a branch histories recorded before they existed never take.
  if (isKubeVelaStepType(step.type)) return runKubeVelaStep(run, step, status);
  switch (step.type) {
    case 'deploy':
      if (step.properties.auto === false)
        await waitForResume(run, step, status, 'waiting for approval', undefined);
      await deploy(run, step, status);
      return undefined;
    case 'apply-component':
      await deploy(run, step, status);
      return undefined;
    case 'suspend': {
      const duration = step.properties.duration;
      await waitForResume(
        run,
        step,
        status,
        typeof duration === 'string'
          ? `suspended for ${duration} or until resumed`
          : 'suspended by a suspend step',
        typeof duration === 'string' ? parseDuration(duration) : undefined,
      );
      return undefined;
    }
    case 'step-group': {
      const failed = await run.runSteps(step.subSteps ?? [], run.plan.mode.subSteps);
      if (failed) throw ApplicationFailure.nonRetryable(`sub-step ${failed} failed`, 'StepFailed');
      return undefined;
    }
    default:
      // planWorkflow validated step types at publish; this would be a snapshot from a newer Revela.
      throw ApplicationFailure.nonRetryable(
        `step type ${step.type} is not supported by this worker`,
        'UnknownStepType',
      );
  }
}

async function waitForResume(
  run: RevisionRun,
  step: PlannedStep,
  status: StepStatus,
  why: string,
  durationMs: number | undefined,
): Promise<void> {
  run.resumedSteps.delete(step.name);
  status.phase = 'suspending';
  status.message = `${why}: resume with \`revela workflow resume ${run.input.app.name}\``;
  run.refreshStatus();
  run.publishVisibility();
  await condition(() => run.resumedSteps.has(step.name), durationMs ?? undefined);
  status.phase = 'running';
  delete status.message;
  run.refreshStatus();
  run.publishVisibility();
}
