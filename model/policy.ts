/**
 * Policies: the external `Policy` object (core.oam.dev/v1alpha1) and the properties of the
 * built-in policy types `topology`, `override` and `garbage-collect`.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import { CatalogObjectMetaSchema, PropertiesSchema } from './object-meta.js';

export const POLICY_API_VERSION = 'core.oam.dev/v1alpha1';

/** An external policy, referenced by name from a deploy step's `policies`. */
export const PolicySchema = schema('policy/PolicySchema', () =>
  z.strictObject({
    apiVersion: z.literal(POLICY_API_VERSION),
    kind: z.literal('Policy'),
    metadata: CatalogObjectMetaSchema,
    type: z.string().min(1, { message: 'a policy needs a type (e.g. topology, override, garbage-collect)' }),
    properties: PropertiesSchema.optional(),
  }),
);
export type Policy = z.infer<typeof PolicySchema>;

/** The policy types whose behaviour is built into Revela. */
export const POLICY_TYPE_TOPOLOGY = 'topology';
export const POLICY_TYPE_OVERRIDE = 'override';
export const POLICY_TYPE_GARBAGE_COLLECT = 'garbage-collect';
export const POLICY_TYPE_REPLICATION = 'replication';

// The zod twins of the JSON Schemas in `definitions/policies.yaml`, for deterministic code.

export const TopologyPropertiesSchema = schema('policy/TopologyPropertiesSchema', () =>
  z.object({
    /** Cluster names, in the registry. */
    clusters: z.array(z.string()).optional(),
    /** Every label must match (`region: hangzhou`). */
    clusterLabelSelector: z.record(z.string(), z.string()).optional(),
    /** KubeVela's deprecated spelling of `clusterLabelSelector`. */
    clusterSelector: z.record(z.string(), z.string()).optional(),
    /** Target namespace; defaults to the application's. */
    namespace: z.string().optional(),
  }),
);
export type TopologyProperties = z.infer<typeof TopologyPropertiesSchema>;

export const OverrideTraitSchema = schema('policy/OverrideTraitSchema', () =>
  z.object({
    type: z.string(),
    properties: PropertiesSchema.optional(),
    /** Removes the trait from the selected components. */
    disable: z.boolean().optional(),
  }),
);
export type OverrideTrait = z.infer<typeof OverrideTraitSchema>;

export const OverrideComponentSchema = schema('policy/OverrideComponentSchema', () =>
  z.object({
    /** Select by component name (with `type`, both must match; with neither, all components). */
    name: z.string().optional(),
    type: z.string().optional(),
    /** Deep-merged into the selected components' properties (null removes a field). */
    properties: PropertiesSchema.optional(),
    traits: z.array(OverrideTraitSchema).optional(),
  }),
);
export type OverrideComponent = z.infer<typeof OverrideComponentSchema>;

export const OverridePropertiesSchema = schema('policy/OverridePropertiesSchema', () =>
  z.object({
    components: z.array(OverrideComponentSchema).default([]),
    /** Deploy only these components (KubeVela's `override.selector`). */
    selector: z.array(z.string()).optional(),
  }),
);
export type OverrideProperties = z.infer<typeof OverridePropertiesSchema>;

export const GarbageCollectPropertiesSchema = schema('policy/GarbageCollectPropertiesSchema', () =>
  z.object({
    /** Revisions to retain. @default 10 */
    applicationRevisionLimit: z.number().int().nonnegative().optional(),
    /** Keep resources that a newer revision no longer renders instead of deleting them. */
    keepLegacyResource: z.boolean().optional(),
  }),
);
export type GarbageCollectProperties = z.infer<typeof GarbageCollectPropertiesSchema>;

export const ReplicationPropertiesSchema = schema('policy/ReplicationPropertiesSchema', () =>
  z.object({
    /** One copy of each selected component per key, rendered with `context.replicaKey`. */
    keys: z.array(z.string()).min(1),
    /** The components to replicate; all when absent. */
    selector: z.array(z.string()).optional(),
  }),
);
export type ReplicationProperties = z.infer<typeof ReplicationPropertiesSchema>;
