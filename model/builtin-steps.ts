/**
 * KubeVela's built-in workflow step types beyond deploy/suspend/apply-component/step-group: their
 * names, what each does in the revision workflow, and what a step's run knows about itself.
 *
 * Workflow-safe.
 */

/** The step types of `definitions/workflow-steps-kubevela.yaml`. */
export const KUBEVELA_STEP_TYPES = [
  'apply-object',
  'read-object',
  'notification',
  'webhook',
  'request',
  'print-message-in-status',
  'export2config',
  'export2secret',
  'export-data',
  'export-service',
  'depends-on-app',
  'apply-deployment',
  'collect-service-endpoints',
  'check-metrics',
  'clean-jobs',
  'restart-workflow',
] as const;
export type KubeVelaStepType = (typeof KUBEVELA_STEP_TYPES)[number];

export function isKubeVelaStepType(type: string): type is KubeVelaStepType {
  return (KUBEVELA_STEP_TYPES as readonly string[]).includes(type);
}

/** Steps whose objects are rendered from their parameters and applied through the fenced, ownership-checked path. */
export const OBJECT_STEP_TYPES: ReadonlySet<string> = new Set([
  'apply-object',
  'apply-deployment',
  'export2config',
  'export2secret',
  'export-data',
  'export-service',
]);

/**
 * Steps that wait for something outside (a Deployment's replicas, another application, service
 * endpoints): they run as a retried check, like the health wait, bounded by the step's timeout.
 */
export const WAITING_STEP_TYPES: ReadonlySet<string> = new Set([
  'apply-deployment',
  'depends-on-app',
  'collect-service-endpoints',
]);

/** What a built-in step knows about the run it belongs to (KubeVela's `context`). */
export interface BuiltinStepContext {
  /** The application (`context.name`). */
  readonly appName: string;
  /** Its namespace (`context.namespace`). */
  readonly namespace: string;
  /** The revision (`context.appRevision`). */
  readonly revision: string;
  /** The step (`context.stepName`). */
  readonly stepName: string;
}

/** Label KubeVela puts on objects a workflow step creates (apply-deployment's selector). */
export const LABEL_STEP_NAME = 'workflow.oam.dev/step-name';

/** Label KubeVela puts on objects its workflow creates: the application's name (clean-jobs' default selector). */
export const LABEL_WORKFLOW_NAME = 'workflow.oam.dev/name';
