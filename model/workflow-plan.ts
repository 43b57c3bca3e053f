/**
 * The plan a revision workflow executes: the steps of the snapshot (inline, from the external
 * workflow, or KubeVela's defaults) with their modes, dependencies, conditions and timeouts
 * resolved.
 *
 * Workflow-safe.
 */
import { STEP_TYPE_DEPLOY, explicitSteps } from './app-references.js';
import { parseDuration } from './duration.js';
import { POLICY_TYPE_OVERRIDE, POLICY_TYPE_TOPOLOGY } from './policy.js';
import type { RevisionSnapshot } from './snapshot.js';
import type { StepInput, StepOutput } from './step-io.js';
import {
  DEFAULT_WORKFLOW_MODE,
  DeployStepPropertiesSchema,
  type WorkflowModeValue,
  type WorkflowStep,
  type WorkflowSubStep,
} from './workflow.js';

export interface PlannedStep {
  name: string;
  type: string;
  /** The step's properties; for `deploy`, with `policies`, `parallelism` and `auto` defaulted. */
  properties: Record<string, unknown>;
  dependsOn: string[];
  /** The `if` condition, as written. */
  if?: string;
  timeoutMs?: number;
  /** Sub-steps of a `step-group`. */
  subSteps?: PlannedStep[];
  /** Outputs of earlier steps this step reads; absent when it reads none. */
  inputs?: StepInput[];
  /** Values it records; absent when it records none. */
  outputs?: StepOutput[];
}

export interface WorkflowPlan {
  mode: { steps: WorkflowModeValue; subSteps: WorkflowModeValue };
  steps: PlannedStep[];
}

function planStep(step: WorkflowStep | WorkflowSubStep): PlannedStep {
  let properties: Record<string, unknown> = { ...(step.properties ?? {}) };
  if (step.type === STEP_TYPE_DEPLOY) {
    const parsed = DeployStepPropertiesSchema.safeParse(properties);
    if (parsed.success) properties = { ...properties, ...parsed.data };
  }
  const planned: PlannedStep = {
    name: step.name,
    type: step.type,
    properties,
    dependsOn: [...(step.dependsOn ?? [])],
  };
  if (step.if !== undefined) planned.if = step.if;
  if (step.timeout !== undefined) planned.timeoutMs = parseDuration(step.timeout);
  if ('subSteps' in step && step.subSteps !== undefined) planned.subSteps = step.subSteps.map(planStep);
  // Only when written, so plans of snapshots without inputs/outputs stay as they were.
  if (step.inputs !== undefined && step.inputs.length > 0) planned.inputs = step.inputs;
  if (step.outputs !== undefined && step.outputs.length > 0) planned.outputs = step.outputs;
  return planned;
}

/**
 * KubeVela's default workflow: one deploy step per topology policy (`deploy-<policy>`, with every
 * override policy), or a single `deploy` step to the local cluster when there is no topology.
 */
function defaultSteps(snapshot: RevisionSnapshot): PlannedStep[] {
  const policies = snapshot.application.spec.policies ?? [];
  const overrides = policies.filter((p) => p.type === POLICY_TYPE_OVERRIDE).map((p) => p.name);
  const topologies = policies.filter((p) => p.type === POLICY_TYPE_TOPOLOGY).map((p) => p.name);
  const deploy = (name: string, names: string[]): PlannedStep => ({
    name,
    type: STEP_TYPE_DEPLOY,
    properties: { ...DeployStepPropertiesSchema.parse({ policies: names }) },
    dependsOn: [],
  });
  if (topologies.length === 0) return [deploy(STEP_TYPE_DEPLOY, overrides)];
  return topologies.map((topology) => deploy(`${STEP_TYPE_DEPLOY}-${topology}`, [topology, ...overrides]));
}

/** The steps and modes a revision of this snapshot runs. */
export function planWorkflow(snapshot: RevisionSnapshot): WorkflowPlan {
  const app = snapshot.application;
  const external = snapshot.externalWorkflow;
  const mode = {
    steps: app.spec.workflow?.mode?.steps ?? external?.mode?.steps ?? DEFAULT_WORKFLOW_MODE.steps,
    subSteps: app.spec.workflow?.mode?.subSteps ?? external?.mode?.subSteps ?? DEFAULT_WORKFLOW_MODE.subSteps,
  };
  const steps = explicitSteps(app, external);
  return { mode, steps: steps === undefined ? defaultSteps(snapshot) : steps.map(planStep) };
}

/** Every step of a plan, sub-steps after their group, in order. */
export function planStepsFlat(plan: WorkflowPlan): PlannedStep[] {
  return plan.steps.flatMap((step) => [step, ...(step.subSteps ?? [])]);
}
