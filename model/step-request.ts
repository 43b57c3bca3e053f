import type { RevisionSnapshot } from './snapshot.js';
import type { PlannedStep } from './workflow-plan.js';

/*
 * Workflow-safe: what a deploying step asks to render. The revision workflow builds these; the
 * render itself (JSONata) happens in an activity.
 */

/** What one deploy or apply-component step deploys. */
export interface StepRenderRequest {
  readonly snapshot: RevisionSnapshot;
  /** Written into the `app.oam.dev/revision` label. */
  readonly revision: string;
  /** deploy: the policies to place by (inline or external names). */
  readonly policies?: string[];
  /** apply-component: one component … */
  readonly component?: string;
  /** … on one cluster. @default local */
  readonly cluster?: string;
}

/** The render request of a deploy or apply-component step. */
export function stepRenderRequest(
  snapshot: RevisionSnapshot,
  revision: string,
  step: PlannedStep,
): StepRenderRequest {
  const p = step.properties;
  return {
    snapshot,
    revision,
    ...(step.type === 'deploy'
      ? { policies: Array.isArray(p.policies) ? (p.policies as string[]) : [] }
      : {}),
    ...(step.type === 'apply-component' && typeof p.component === 'string' ? { component: p.component } : {}),
    ...(step.type === 'apply-component' && typeof p.cluster === 'string' ? { cluster: p.cluster } : {}),
  };
}

/** Steps that deploy something, including those inside step groups, in plan order. */
export function deploySteps(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.flatMap((s) => [
    ...(s.type === 'deploy' || s.type === 'apply-component' ? [s] : []),
    ...deploySteps(s.subSteps ?? []),
  ]);
}
