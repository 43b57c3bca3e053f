/**
 * Workflow steps, as written inline in `Application.spec.workflow.steps` or in an external
 * `Workflow` (core.oam.dev/v1alpha1), and the properties of the built-in step types.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import { durationProblem } from './duration.js';
import { CatalogObjectMetaSchema, Dns1123LabelSchema, PropertiesSchema } from './object-meta.js';
import { StepInputSchema, StepOutputSchema } from './step-io.js';

export const WORKFLOW_API_VERSION = 'core.oam.dev/v1alpha1';

/** How steps (or the sub-steps of a `step-group`) run. */
export const WorkflowModeValueSchema = schema('workflow/WorkflowModeValueSchema', () =>
  z.enum(['StepByStep', 'DAG']),
);
export type WorkflowModeValue = z.infer<typeof WorkflowModeValueSchema>;

export const WorkflowModeSchema = schema('workflow/WorkflowModeSchema', () =>
  z.strictObject({
    steps: WorkflowModeValueSchema.optional(),
    subSteps: WorkflowModeValueSchema.optional(),
  }),
);
export type WorkflowMode = z.infer<typeof WorkflowModeSchema>;

/** KubeVela's defaults: steps one after another, sub-steps of a group in parallel. */
export const DEFAULT_WORKFLOW_MODE: Readonly<Required<WorkflowMode>> = {
  steps: 'StepByStep',
  subSteps: 'DAG',
};

const DurationSchema = schema('workflow/DurationSchema', () =>
  z.string().superRefine((value, ctx) => {
    const problem = durationProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const stepFields = schema('workflow/stepFields', () => ({
  name: Dns1123LabelSchema,
  type: z
    .string()
    .min(1, { message: 'a step needs a type (e.g. deploy, suspend, apply-component, step-group)' }),
  properties: PropertiesSchema.optional(),
  dependsOn: z.array(z.string()).optional(),
  /** A condition such as `always` or `status.deploy-a.failed`. */
  if: z.string().min(1).optional(),
  /** A duration such as `10m`; the step fails with reason `Timeout` after it. */
  timeout: DurationSchema.optional(),
  /** Values of earlier steps' (or components') outputs this step reads. */
  inputs: z.array(StepInputSchema).optional(),
  /** Values this step records for later steps. */
  outputs: z.array(StepOutputSchema).optional(),
}));

/** A sub-step of a `step-group` (sub-steps cannot nest further, as in KubeVela). */
export const WorkflowSubStepSchema = schema('workflow/WorkflowSubStepSchema', () =>
  z.strictObject(stepFields),
);
export type WorkflowSubStep = z.infer<typeof WorkflowSubStepSchema>;

export const WorkflowStepSchema = schema('workflow/WorkflowStepSchema', () =>
  z.strictObject({
    ...stepFields,
    subSteps: z.array(WorkflowSubStepSchema).optional(),
  }),
);
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;

/** An external workflow, referenced by `Application.spec.workflow.ref`. */
export const WorkflowSchema = schema('workflow/WorkflowSchema', () =>
  z.strictObject({
    apiVersion: z.literal(WORKFLOW_API_VERSION),
    kind: z.literal('Workflow'),
    metadata: CatalogObjectMetaSchema,
    steps: z.array(WorkflowStepSchema),
    mode: WorkflowModeSchema.optional(),
  }),
);
export type Workflow = z.infer<typeof WorkflowSchema>;

// ---------------------------------------------------------------------------------------------
// Properties of the built-in step types. Their definitions in `definitions/workflow-steps.yaml`
// carry the same rules as JSON Schema (validated with ajv when a snapshot is built); these zod
// twins give typed values with defaults to deterministic code that cannot use ajv.

export const DeployStepPropertiesSchema = schema('workflow/DeployStepPropertiesSchema', () =>
  z.object({
    /** Topology and override policies, by name (inline or external). */
    policies: z.array(z.string()).default([]),
    /** Clusters applied to at the same time. */
    parallelism: z.number().int().positive().default(5),
    /** `false` waits for a resume (approval) before deploying. */
    auto: z.boolean().default(true),
  }),
);
export type DeployStepProperties = z.infer<typeof DeployStepPropertiesSchema>;

export const SuspendStepPropertiesSchema = schema('workflow/SuspendStepPropertiesSchema', () =>
  z.object({
    /** Resume by itself after this long; without it, wait for `resume`. */
    duration: DurationSchema.optional(),
  }),
);
export type SuspendStepProperties = z.infer<typeof SuspendStepPropertiesSchema>;

export const ApplyComponentStepPropertiesSchema = schema('workflow/ApplyComponentStepPropertiesSchema', () =>
  z.object({
    component: z.string(),
    /** Defaults to the local cluster. */
    cluster: z.string().optional(),
    namespace: z.string().optional(),
  }),
);
export type ApplyComponentStepProperties = z.infer<typeof ApplyComponentStepPropertiesSchema>;
