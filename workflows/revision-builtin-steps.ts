import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import type { BuiltinStepResult } from '../activities/steps/types.js';
import { isKubeVelaStepType, OBJECT_STEP_TYPES, WAITING_STEP_TYPES } from '../model/builtin-steps.js';
import { objectLabel, type KubeObject } from '../model/kube-object.js';
import { parseDuration } from '../model/duration.js';
import { evaluateOutputs, snapshotWithInputs, StepInputError, withInputs } from '../model/step-io.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { StepStatus } from '../model/step-status.js';
import { ValueFromError } from '../model/value-from.js';
import type { PlannedStep } from '../model/workflow-plan.js';
import { restartTimer } from './restart-timer.js';
import { applyForRun } from './revision-apply.js';
import type { RevisionRun } from './revision-run.js';

/*
 * KubeVela's built-in steps in a revision run: inputs are written into the properties, an
 * activity checks the parameters and renders what the step writes, writes go through the same
 * fenced, ownership-checked apply as deploy, and outputs are computed here — deterministically,
 * from recorded activity results — and recorded in the step's status.
 */

export { isKubeVelaStepType };

/** Failure types a step's inputs and outputs fail it with. */
export const StepIoFailure = { input: 'InvalidStepInput', output: 'InvalidStepOutput' } as const;

/** The snapshot a deploying step renders: its components' inputs written in (a typed failure when one is missing). */
export function snapshotForStep(run: RevisionRun, step: string): RevisionSnapshot {
  try {
    return snapshotWithInputs(run.input.snapshot, run.outputs, step);
  } catch (err) {
    if (err instanceof StepInputError)
      throw ApplicationFailure.nonRetryable(err.message, StepIoFailure.input);
    throw err;
  }
}

/** `5m`, `1h`, `2d` (KubeVela's restart-workflow units, `d` included). */
function restartDelayMs(text: string): number {
  return text.endsWith('d') ? Number(text.slice(0, -1)) * 86_400_000 : parseDuration(text);
}

async function scheduleRestart(
  run: RevisionRun,
  parameters: Record<string, unknown>,
): Promise<BuiltinStepResult> {
  const now = Date.now();
  const at = typeof parameters.at === 'string' ? Date.parse(parameters.at) : undefined;
  const after = parameters.after ?? parameters.every;
  const atMs = at ?? now + restartDelayMs(String(after));
  const when = new Date(atMs).toISOString();
  if (atMs <= now && at !== undefined) {
    return {
      scope: { parameter: parameters },
      message: `restart time ${when} has passed: no restart scheduled`,
    };
  }
  const { namespace, name } = run.input.app;
  await startChild(restartTimer, {
    workflowId: `restart/${namespace}/${run.revision}/${uuid4()}`,
    args: [{ namespace, name, revision: run.revision, atMs }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    // A superseded run's cancellation must not reach the timer either: when it fires it checks
    // which revision is current itself.
    cancellationType: ChildWorkflowCancellationType.ABANDON,
  });
  return { scope: { parameter: parameters, restartAt: when }, message: `the workflow restarts at ${when}` };
}

/** Runs one built-in step; returns the message its status keeps after it succeeded. */
export async function runKubeVelaStep(
  run: RevisionRun,
  step: PlannedStep,
  status: StepStatus,
): Promise<string | undefined> {
  let properties: Record<string, unknown>;
  try {
    properties = withInputs(step.properties, step.inputs ?? [], run.outputs);
  } catch (err) {
    if (err instanceof StepInputError)
      throw ApplicationFailure.nonRetryable(err.message, StepIoFailure.input);
    throw err;
  }
  const prepared = await run.compute.prepareBuiltinStep({
    snapshot: run.input.snapshot,
    revision: run.revision,
    step: { name: step.name, type: step.type, properties },
  });
  const fence = run.input.fence;
  const input = {
    type: step.type,
    parameters: prepared.parameters,
    context: prepared.context,
    ...(fence !== undefined ? { fence } : {}),
    ...(step.type === 'webhook' && prepared.parameters.data === undefined
      ? { application: run.input.snapshot.application }
      : {}),
  };

  let result: BuiltinStepResult = { scope: { parameter: prepared.parameters } };
  if (OBJECT_STEP_TYPES.has(step.type)) {
    status.message = 'applying';
    run.publishVisibility();
    for (const { cluster, object, ownership } of prepared.objects) {
      await applyForRun(run, cluster, object, ownership);
    }
    run.reports.progress();
    const objects = prepared.objects.map((o) => o.object);
    result = {
      scope: {
        parameter: prepared.parameters,
        apply: { value: objects[0] },
        value: objects.length === 1 ? objects[0] : objects,
      },
      message: `applied ${prepared.objects.map((o) => `${objectLabel({ kind: o.object.kind, name: o.object.metadata.name })} → ${o.cluster}`).join(', ')}`,
    };
  }
  if (WAITING_STEP_TYPES.has(step.type) || step.type === 'check-metrics') {
    status.message = 'waiting';
    run.publishVisibility();
    const waited = await run.healthChecks.awaitBuiltinStep.executeWithOptions(
      { summary: `${step.type} ${step.name}` },
      [input],
    );
    result = { scope: { ...result.scope, ...waited.scope }, message: waited.message ?? result.message };
  } else if (step.type === 'print-message-in-status') {
    const message = String(prepared.parameters.message);
    result = { scope: { parameter: prepared.parameters, msg: { message } }, message };
  } else if (step.type === 'restart-workflow') {
    result = await scheduleRestart(run, prepared.parameters);
  } else if (!OBJECT_STEP_TYPES.has(step.type)) {
    result = await run.cluster.runBuiltinStep.executeWithOptions({ summary: `${step.type} ${step.name}` }, [
      input,
    ]);
  }

  recordOutputs(run, step, status, result.scope);
  return result.message;
}

/** Evaluates a step's outputs against what it produced and records them for later steps. */
export function recordOutputs(
  run: RevisionRun,
  step: Pick<PlannedStep, 'outputs'>,
  status: StepStatus,
  scope: Record<string, unknown>,
): void {
  if (!step.outputs || step.outputs.length === 0) return;
  let values: Record<string, unknown>;
  try {
    values = evaluateOutputs(step.outputs, scope);
  } catch (err) {
    if (err instanceof ValueFromError)
      throw ApplicationFailure.nonRetryable(err.message, StepIoFailure.output);
    throw err;
  }
  status.outputs = { ...(status.outputs ?? {}), ...values };
  Object.assign(run.outputs, values);
}

/**
 * Outputs of a deploy or apply-component step and of the components it deployed: `valueFrom`
 * reads the component's workload as it is live on the cluster after the health wait
 * (`output.status.readyReplicas`). Reads happen only when something declares outputs.
 */
export async function recordDeployOutputs(
  run: RevisionRun,
  step: PlannedStep,
  status: StepStatus,
  workloads: readonly { cluster: string; component: string; object: KubeObject }[],
): Promise<void> {
  const components = run.input.snapshot.application.spec.components.filter(
    (c) => (c.outputs ?? []).length > 0,
  );
  const wanted = workloads.filter(
    (w, i) => components.some((c) => c.name === w.component) || ((step.outputs ?? []).length > 0 && i === 0),
  );
  for (const workload of wanted) {
    const { object } = workload;
    const live = await run.cluster.runBuiltinStep.executeWithOptions(
      { summary: `read ${objectLabel({ kind: object.kind, name: object.metadata.name })} for outputs` },
      [
        {
          type: 'read-object',
          parameters: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: object.metadata.name,
            namespace: object.metadata.namespace ?? run.input.app.namespace,
            cluster: workload.cluster,
          },
          context: {
            appName: run.input.app.name,
            namespace: run.input.app.namespace,
            revision: run.revision,
            stepName: step.name,
          },
        },
      ],
    );
    const value = (live.scope.output as { value: unknown }).value;
    const component = components.find((c) => c.name === workload.component);
    const scope = { output: value, parameter: component?.properties ?? {} };
    if (component) recordOutputs(run, component, status, scope);
    if (workload === workloads[0]) recordOutputs(run, step, status, scope);
  }
}
