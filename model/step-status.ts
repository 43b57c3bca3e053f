/**
 * What a revision run reports about its steps and the health of what it deployed: read by the
 * entity, the client, the CLI and the Temporal UI's details.
 *
 * Workflow-safe.
 */

/** KubeVela's step phases. */
export type StepPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'suspending';

/** One step (or sub-step) of a revision's workflow, as `status` shows it. */
export interface StepStatus {
  id: string;
  name: string;
  type: string;
  phase: StepPhase;
  message?: string;
  /** `Timeout`, `Terminate`, `Superseded`, `Skip`, `Approval`, … */
  reason?: string;
  firstExecuteTime?: string;
  lastExecuteTime?: string;
  /** Values the step (or the components it deployed) recorded for later steps, by name. */
  outputs?: Record<string, unknown>;
  subSteps?: StepStatus[];
}

/** Health of one component on one cluster (KubeVela's Services section). */
export interface ComponentHealth {
  cluster: string;
  namespace: string;
  component: string;
  type: string;
  healthy: boolean;
  message: string;
  traits: string[];
}
