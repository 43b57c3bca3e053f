/**
 * What an application refers to by name: the steps it runs (inline or from an external
 * workflow) and the external policies its deploy steps name. Shared by the snapshot builder, the
 * workflow planner and live-diff so that all three agree on what belongs to a revision.
 *
 * Workflow-safe.
 */
import type { Application } from './application.js';
import type { Workflow, WorkflowStep } from './workflow.js';

/** The step type that names policies. */
export const STEP_TYPE_DEPLOY = 'deploy';
export const STEP_TYPE_SUSPEND = 'suspend';
export const STEP_TYPE_APPLY_COMPONENT = 'apply-component';
export const STEP_TYPE_STEP_GROUP = 'step-group';

/** Where the workflow steps of an application come from. */
export type StepSource = 'inline' | 'external' | 'default';

/** `inline` when `spec.workflow.steps` is non-empty, `external` with `spec.workflow.ref`, else `default`. */
export function stepSource(app: Application): StepSource {
  const workflow = app.spec.workflow;
  if (workflow?.steps !== undefined && workflow.steps.length > 0) return 'inline';
  if (workflow?.ref !== undefined) return 'external';
  return 'default';
}

/** The explicit steps of the application (inline, or of its external workflow), if any. */
export function explicitSteps(
  app: Application,
  externalWorkflow: Workflow | undefined,
): WorkflowStep[] | undefined {
  switch (stepSource(app)) {
    case 'inline':
      return app.spec.workflow?.steps;
    case 'external':
      return externalWorkflow?.steps;
    case 'default':
      return undefined;
  }
}

/** The `policies` a deploy step names (strings only; the schema check reports the rest). */
export function deployStepPolicies(step: Pick<WorkflowStep, 'type' | 'properties'>): string[] {
  if (step.type !== STEP_TYPE_DEPLOY) return [];
  const policies = step.properties?.policies;
  return Array.isArray(policies) ? policies.filter((p): p is string => typeof p === 'string') : [];
}

/** Every step with its sub-steps, depth first, in order. */
export function flattenSteps(
  steps: readonly WorkflowStep[],
): Pick<WorkflowStep, 'name' | 'type' | 'properties'>[] {
  const out: Pick<WorkflowStep, 'name' | 'type' | 'properties'>[] = [];
  for (const step of steps) {
    out.push(step);
    for (const sub of step.subSteps ?? []) out.push(sub);
  }
  return out;
}

/**
 * Names of the external policies the application uses, in order of first reference: policies
 * named by deploy steps that are not inline in `spec.policies`.
 */
export function externalPolicyNames(app: Application, externalWorkflow: Workflow | undefined): string[] {
  const inline = new Set((app.spec.policies ?? []).map((p) => p.name));
  const names: string[] = [];
  for (const step of flattenSteps(explicitSteps(app, externalWorkflow) ?? [])) {
    for (const name of deployStepPolicies(step)) {
      if (!inline.has(name) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}
