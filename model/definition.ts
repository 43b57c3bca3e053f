/**
 * Definitions: KubeVela's ComponentDefinition / TraitDefinition / PolicyDefinition /
 * WorkflowStepDefinition with a data-only schematic. Components and traits carry a JSONata
 * template and a JSON Schema for their parameters; policy and step types are built-in code, so
 * their definitions carry only the parameter schema and a version that snapshots record.
 * Components, traits and policies may instead carry KubeVela's own `cue` schematic, evaluated by
 * the CUE engine (`cue/`); their templates declare their own `parameter`.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { DefinitionMetaSchema } from './object-meta.js';

export const DEFINITION_API_VERSION = 'core.oam.dev/v1beta1';

/** A JSON Schema object (validated by ajv when used). */
export const JsonSchemaObjectSchema = z.record(z.string(), z.unknown());

const ParameterOnlySchematicSchema = z.strictObject({
  jsonata: z.strictObject({
    /** JSON Schema of the `properties`. */
    parameter: JsonSchemaObjectSchema,
  }),
});

/** KubeVela's CUE schematic: the template declares `parameter` and reads `context`. */
const CueSchematicSchema = z.strictObject({
  /**
   * CUE. A component yields `output` and `outputs`, a trait `patch`, `patchOutputs` and `outputs`
   * (with `// +patchKey=` / `// +patchStrategy=` comments), a policy `output` and `outputs`; a
   * non-empty `errs` list refuses the properties.
   */
  template: z.string().min(1),
});

const oneSchematic = (s: { jsonata?: unknown; cue?: unknown }) =>
  (s.jsonata === undefined) !== (s.cue === undefined);
const ONE_SCHEMATIC = { message: 'must have exactly one of jsonata or cue' };

const TemplateSchematicSchema = z
  .strictObject({
    jsonata: z
      .strictObject({
        /** JSON Schema of the `properties`; defaults are applied before the template runs. */
        parameter: JsonSchemaObjectSchema,
        /**
         * JSONata over `{parameter, context}`. A component template returns `{output, outputs?}`, a
         * trait template `{patch?, outputs?}`.
         */
        template: z.string().min(1),
      })
      .optional(),
    cue: CueSchematicSchema.optional(),
  })
  .refine(oneSchematic, ONE_SCHEMATIC);

/** Policies: built-in types carry a parameter schema; KubeVela's CUE policies a template. */
const PolicySchematicSchema = z
  .strictObject({
    jsonata: ParameterOnlySchematicSchema.shape.jsonata.optional(),
    cue: CueSchematicSchema.optional(),
  })
  .refine(oneSchematic, ONE_SCHEMATIC);

export const DefinitionStatusSchema = z.strictObject({
  /** JSONata over `{output, outputs, parameter}` returning a boolean. */
  healthPolicy: z.string().min(1).optional(),
  /** JSONata over `{output, outputs, parameter}` returning a string, e.g. `Ready:1/3`. */
  customStatus: z.string().min(1).optional(),
  /** KubeVela's status details (CUE); accepted, not evaluated. */
  details: z.string().optional(),
});
export type DefinitionStatus = z.infer<typeof DefinitionStatusSchema>;

/** The kind of object a component's `output` is, which trait `appliesToWorkloads` matches. */
export const WorkloadTypeSchema = z.strictObject({
  definition: z.strictObject({ apiVersion: z.string(), kind: z.string() }).optional(),
  /** KubeVela's `autodetects.core.oam.dev` and other named workload types: the output decides. */
  type: z.string().optional(),
});
export type WorkloadType = z.infer<typeof WorkloadTypeSchema>;

const VersionSchema = z.string().min(1);
const DescriptionSchema = z.string().optional();

export const ComponentDefinitionSchema = z.strictObject({
  apiVersion: z.literal(DEFINITION_API_VERSION),
  kind: z.literal('ComponentDefinition'),
  metadata: DefinitionMetaSchema,
  spec: z.strictObject({
    version: VersionSchema.optional(),
    description: DescriptionSchema,
    /** What `output` is; absent when it depends on the properties (k8s-objects, ref-objects). */
    workload: WorkloadTypeSchema.optional(),
    schematic: TemplateSchematicSchema,
    status: DefinitionStatusSchema.optional(),
    // KubeVela fields that CUE definitions written for it carry; accepted, not used.
    childResourceKinds: z.array(z.unknown()).optional(),
    revisionLabel: z.string().optional(),
    podSpecPath: z.string().optional(),
    extension: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ComponentDefinition = z.infer<typeof ComponentDefinitionSchema>;

export const TraitDefinitionSchema = z.strictObject({
  apiVersion: z.literal(DEFINITION_API_VERSION),
  kind: z.literal('TraitDefinition'),
  metadata: DefinitionMetaSchema,
  spec: z.strictObject({
    version: VersionSchema.optional(),
    description: DescriptionSchema,
    /**
     * Component types or workloads the trait may be attached to: a component type (`webservice`),
     * a resource (`deployments.apps`, `jobs.batch`), `apps/v1.Deployment`, or `*`. Absent: any.
     */
    appliesToWorkloads: z.array(z.string()).optional(),
    schematic: TemplateSchematicSchema,
    status: DefinitionStatusSchema.optional(),
    // KubeVela fields that CUE definitions written for it carry; accepted, not used.
    podDisruptive: z.boolean().optional(),
    conflictsWith: z.array(z.string()).optional(),
    workloadRefPath: z.string().optional(),
    revisionEnabled: z.boolean().optional(),
    manageWorkload: z.boolean().optional(),
    controlPlaneOnly: z.boolean().optional(),
    stage: z.string().optional(),
    definitionRef: z.record(z.string(), z.unknown()).optional(),
    extension: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type TraitDefinition = z.infer<typeof TraitDefinitionSchema>;

export const PolicyDefinitionSchema = z.strictObject({
  apiVersion: z.literal(DEFINITION_API_VERSION),
  kind: z.literal('PolicyDefinition'),
  metadata: DefinitionMetaSchema,
  spec: z
    .strictObject({
      /** Required of built-in (JSONata) policy types; KubeVela's CUE policies have none. */
      version: VersionSchema.optional(),
      description: DescriptionSchema,
      schematic: PolicySchematicSchema,
      definitionRef: z.record(z.string(), z.unknown()).optional(),
      manageHealthCheck: z.boolean().optional(),
    })
    .refine((spec) => spec.version !== undefined || spec.schematic.cue !== undefined, {
      message: 'version is required',
      path: ['version'],
    }),
});
export type PolicyDefinition = z.infer<typeof PolicyDefinitionSchema>;

export const WorkflowStepDefinitionSchema = z.strictObject({
  apiVersion: z.literal(DEFINITION_API_VERSION),
  kind: z.literal('WorkflowStepDefinition'),
  metadata: DefinitionMetaSchema,
  spec: z.strictObject({
    version: VersionSchema,
    description: DescriptionSchema,
    schematic: ParameterOnlySchematicSchema,
  }),
});
export type WorkflowStepDefinition = z.infer<typeof WorkflowStepDefinitionSchema>;

export type AnyDefinition = ComponentDefinition | TraitDefinition | PolicyDefinition | WorkflowStepDefinition;

/** `ComponentDefinition webservice`: how errors name a definition. */
export function definitionLabel(definition: Pick<AnyDefinition, 'kind' | 'metadata'>): string {
  const ns = definition.metadata.namespace;
  return `${definition.kind} ${ns === undefined ? '' : `${ns}/`}${definition.metadata.name}`;
}

/** A workload kind as `appliesToWorkloads` sees it. */
export type WorkloadKind = WorkloadType['definition'];

/**
 * The names a component's workload answers to in `appliesToWorkloads`: its type, `*`, and for a
 * known workload `deployments.apps` and `apps/v1.Deployment`. The workload is the definition's
 * `spec.workload`, or — for definitions whose output depends on the properties (k8s-objects,
 * ref-objects) — the kind of the object actually rendered.
 */
export function workloadNames(
  componentType: string,
  definition: ComponentDefinition | undefined,
  rendered?: WorkloadKind,
): string[] {
  const names = [componentType];
  const workload = definition?.spec.workload?.definition ?? rendered;
  if (workload) {
    const slash = workload.apiVersion.indexOf('/');
    const group = slash === -1 ? '' : workload.apiVersion.slice(0, slash);
    const plural = pluralize(workload.kind.toLowerCase());
    names.push(group === '' ? plural : `${plural}.${group}`, `${workload.apiVersion}.${workload.kind}`);
  }
  return names;
}

/**
 * True when a trait with these `appliesToWorkloads` may be attached to the component. For a
 * definition without `spec.workload` and no `rendered` kind the answer is deferred (true): the
 * render checks again once it knows the object.
 */
export function traitAppliesTo(
  appliesToWorkloads: readonly string[] | undefined,
  componentType: string,
  definition: ComponentDefinition | undefined,
  rendered?: WorkloadKind,
): boolean {
  if (appliesToWorkloads === undefined || appliesToWorkloads.length === 0) return true;
  if (appliesToWorkloads.includes('*')) return true;
  if (
    definition !== undefined &&
    definition.spec.workload?.definition === undefined &&
    rendered === undefined
  )
    return true;
  const names = workloadNames(componentType, definition, rendered);
  return appliesToWorkloads.some((entry) => names.includes(entry));
}

function pluralize(kind: string): string {
  if (kind.endsWith('s')) return `${kind}es`;
  if (kind.endsWith('y') && !/[aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  return `${kind}s`;
}
