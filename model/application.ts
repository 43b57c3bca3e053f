/**
 * The Application, accepted verbatim in KubeVela's `core.oam.dev/v1beta1` shape.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import { StepInputSchema, StepOutputSchema } from './step-io.js';
import { ANNOTATION_PUBLISH_VERSION } from './labels.js';
import { ApplicationMetaSchema, Dns1123LabelSchema, PropertiesSchema } from './object-meta.js';
import { WorkflowModeSchema, WorkflowStepSchema } from './workflow.js';

export const APPLICATION_API_VERSION = 'core.oam.dev/v1beta1';

/**
 * YAML writes an empty `traits:` or `properties:` as null; KubeVela reads that as absent, and so
 * does Revela (before validation, so the parsed application never holds a null there).
 */
function withoutNulls(keys: readonly string[]): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const record = value as Record<string, unknown>;
    if (!keys.some((k) => k in record && record[k] === null)) return value;
    const copy = { ...record };
    for (const k of keys) if (copy[k] === null) delete copy[k];
    return copy;
  };
}

export const ApplicationTraitSchema = schema('application/ApplicationTraitSchema', () =>
  z.preprocess(
    withoutNulls(['properties']),
    z.strictObject({
      type: z.string().min(1, { message: 'a trait needs a type (e.g. scaler, labels, env)' }),
      properties: PropertiesSchema.optional(),
    }),
  ),
);
export type ApplicationTrait = z.infer<typeof ApplicationTraitSchema>;

export const ApplicationComponentSchema = schema('application/ApplicationComponentSchema', () =>
  z.preprocess(
    withoutNulls(['properties', 'traits', 'dependsOn']),
    z.strictObject({
      name: Dns1123LabelSchema,
      type: z
        .string()
        .min(1, { message: 'a component needs a type (e.g. webservice, worker, task, k8s-objects)' }),
      properties: PropertiesSchema.optional(),
      traits: z.array(ApplicationTraitSchema).optional(),
      /** Components that must be applied (and healthy) first. */
      dependsOn: z.array(z.string()).optional(),
      /** Outputs of steps or other components written into the properties before rendering. */
      inputs: z.array(StepInputSchema).optional(),
      /** Values read from the component's rendered workload once it is deployed. */
      outputs: z.array(StepOutputSchema).optional(),
    }),
  ),
);
export type ApplicationComponent = z.infer<typeof ApplicationComponentSchema>;

/**
 * A policy written inline in `spec.policies`. KubeVela's `name` is optional; an unnamed policy
 * gets one when the spec is parsed (see `namePolicies`), so everything after parsing can name it.
 */
export const ApplicationPolicySchema = schema('application/ApplicationPolicySchema', () =>
  z.preprocess(
    withoutNulls(['properties']),
    z.strictObject({
      name: Dns1123LabelSchema,
      type: z
        .string()
        .min(1, { message: 'a policy needs a type (e.g. topology, override, garbage-collect)' }),
      properties: PropertiesSchema.optional(),
    }),
  ),
);
export type ApplicationPolicy = z.infer<typeof ApplicationPolicySchema>;

/** `spec.workflow`: inline steps, or a reference to an external Workflow. */
export const ApplicationWorkflowSchema = schema('application/ApplicationWorkflowSchema', () =>
  z.strictObject({
    ref: z.string().min(1).optional(),
    steps: z.array(WorkflowStepSchema).optional(),
    mode: WorkflowModeSchema.optional(),
  }),
);
export type ApplicationWorkflow = z.infer<typeof ApplicationWorkflowSchema>;

/**
 * Names for unnamed inline policies: the type when no other policy has that name (a lone
 * `topology` policy is `topology`, and the default workflow's step `deploy-topology`), otherwise
 * `<type>-<index>`. Deterministic, so the same document always gets the same names and hash.
 */
function namePolicies(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const spec = value as { policies?: unknown };
  if (!Array.isArray(spec.policies)) return value;
  const entries = spec.policies as unknown[];
  const isUnnamed = (p: unknown): p is Record<string, unknown> =>
    typeof p === 'object' && p !== null && (p as { name?: unknown }).name === undefined;
  if (!entries.some(isUnnamed)) return value;
  const taken = new Set(
    entries
      .map((p) => (p as { name?: unknown } | null)?.name)
      .filter((n): n is string => typeof n === 'string'),
  );
  const named = entries.map((p, i) => {
    if (!isUnnamed(p) || typeof p.type !== 'string') return p;
    const name = taken.has(p.type) ? `${p.type}-${i}` : p.type;
    taken.add(name);
    return { ...p, name };
  });
  return { ...spec, policies: named };
}

export const ApplicationSpecSchema = schema('application/ApplicationSpecSchema', () =>
  z.preprocess(
    (value) => namePolicies(withoutNulls(['policies'])(value)),
    z.strictObject({
      components: z.array(ApplicationComponentSchema),
      policies: z.array(ApplicationPolicySchema).optional(),
      workflow: ApplicationWorkflowSchema.optional(),
    }),
  ),
);
export type ApplicationSpec = z.infer<typeof ApplicationSpecSchema>;

/** The longest publishVersion. */
export const PUBLISH_VERSION_MAX_LENGTH = 128;

/**
 * Why a publishVersion cannot be used, or undefined when it can. It becomes the
 * `RevelaPublishVersion` search attribute — Temporal refuses values above 2 KiB by failing the
 * workflow task that sets it, which used to close the application's entity workflow — and it is
 * shown in tables, summaries and the UI, where a line break would garble the output.
 */
export function publishVersionProblem(version: string): string | undefined {
  if (version.trim() === '') return 'must not be blank';
  if (version.length > PUBLISH_VERSION_MAX_LENGTH) {
    return `must be at most ${PUBLISH_VERSION_MAX_LENGTH} characters (this one has ${version.length})`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(version))
    return 'must not contain control characters such as line breaks or tabs';
  return undefined;
}

export const ApplicationSchema = schema('application/ApplicationSchema', () =>
  z
    .strictObject({
      apiVersion: z.literal(APPLICATION_API_VERSION),
      kind: z.literal('Application'),
      metadata: ApplicationMetaSchema,
      spec: ApplicationSpecSchema,
      /** Accepted so `kubectl get -o yaml` output can be re-applied; never stored in a snapshot. */
      status: z.unknown().optional(),
    })
    .superRefine((app, ctx) => {
      // Checked wherever an application is parsed: the loader, the client's preflight, the entity's
      // validators and the resolve activity (which sees the publishVersion of `revela up`).
      const version = app.metadata.annotations?.[ANNOTATION_PUBLISH_VERSION];
      const problem = version === undefined || version === '' ? undefined : publishVersionProblem(version);
      if (problem !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['metadata', 'annotations', ANNOTATION_PUBLISH_VERSION],
          message: `publishVersion ${problem}`,
        });
      }
    }),
);
export type Application = z.infer<typeof ApplicationSchema>;

/** `Application examples/podinfo`: how errors and logs name an application. */
export function applicationLabel(app: Pick<Application, 'metadata'>): string {
  return `Application ${app.metadata.namespace}/${app.metadata.name}`;
}

/** The `app.oam.dev/publishVersion` annotation, if set (and not empty). */
export function applicationPublishVersion(app: Pick<Application, 'metadata'>): string | undefined {
  const value = app.metadata.annotations?.[ANNOTATION_PUBLISH_VERSION];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A copy of the application with the publishVersion annotation set to `version`, or removed when
 * `version` is undefined. The input is not changed.
 */
export function withPublishVersion(app: Application, version: string | undefined): Application {
  const annotations: Record<string, string> = { ...(app.metadata.annotations ?? {}) };
  if (version === undefined) delete annotations[ANNOTATION_PUBLISH_VERSION];
  else annotations[ANNOTATION_PUBLISH_VERSION] = version;
  const metadata: Application['metadata'] = { ...app.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...app, metadata };
}
