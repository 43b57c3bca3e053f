/**
 * The policies that decide who may write and delete an object: `shared-resource`, `take-over`,
 * `read-only`, `apply-once`, the `rules` of `garbage-collect`, and `state-keep` (how often drift is
 * repaired). Properties follow KubeVela's; the JSON Schemas in `definitions/policies.yaml` refuse
 * malformed ones at publish time with their path, these zod twins read them in deterministic code.
 *
 * They are application-wide (KubeVela's "global" policies): written in `spec.policies`, not named
 * by a deploy step.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import type { Application } from './application.js';
import { ResourceSelectorSchema } from './resource-selector.js';

export const POLICY_TYPE_SHARED_RESOURCE = 'shared-resource';
export const POLICY_TYPE_TAKE_OVER = 'take-over';
export const POLICY_TYPE_READ_ONLY = 'read-only';
export const POLICY_TYPE_APPLY_ONCE = 'apply-once';
export const POLICY_TYPE_STATE_KEEP = 'state-keep';

const SelectorRuleSchema = schema('ownership-policies/SelectorRuleSchema', () =>
  z.object({ selector: ResourceSelectorSchema }),
);

/** `shared-resource`, `take-over` and `read-only` all take `rules: [{selector}]`. */
export const SelectorRulesPropertiesSchema = schema('ownership-policies/SelectorRulesPropertiesSchema', () =>
  z.object({ rules: z.array(SelectorRuleSchema).default([]) }),
);
export type SelectorRulesProperties = z.infer<typeof SelectorRulesPropertiesSchema>;

/** When an apply-once rule holds: on updates (a new revision), on state keep, or both. */
export const APPLY_ONCE_AFFECTS = ['onUpdate', 'onStateKeep', 'always'] as const;
export type ApplyOnceAffect = (typeof APPLY_ONCE_AFFECTS)[number];

export const ApplyOncePropertiesSchema = schema('ownership-policies/ApplyOncePropertiesSchema', () =>
  z.object({
    enable: z.boolean().default(false),
    rules: z
      .array(
        z.object({
          selector: ResourceSelectorSchema.optional(),
          strategy: z
            .object({
              /** Field paths left to others (`spec.replicas`); `*` is the whole object. */
              path: z.array(z.string().min(1)),
              /** @default always */
              affect: z.enum(APPLY_ONCE_AFFECTS).optional(),
            })
            .optional(),
        }),
      )
      .optional(),
  }),
);
export type ApplyOnceProperties = z.infer<typeof ApplyOncePropertiesSchema>;

/** When garbage collection may delete an object: when a revision drops it (default), with the application, or never. */
export const GC_STRATEGIES = ['onAppUpdate', 'onAppDelete', 'never'] as const;
export type GcStrategy = (typeof GC_STRATEGIES)[number];
/** `orphan` leaves dependents (a Deployment's ReplicaSets) in place; `cascading` deletes them too (default). */
export const GC_PROPAGATIONS = ['orphan', 'cascading'] as const;
export type GcPropagation = (typeof GC_PROPAGATIONS)[number];

export const GcRuleSchema = schema('ownership-policies/GcRuleSchema', () =>
  z.object({
    selector: ResourceSelectorSchema,
    strategy: z.enum(GC_STRATEGIES).optional(),
    propagation: z.enum(GC_PROPAGATIONS).optional(),
  }),
);
export type GcRule = z.infer<typeof GcRuleSchema>;

export const GcRulesPropertiesSchema = schema('ownership-policies/GcRulesPropertiesSchema', () =>
  z.object({ rules: z.array(GcRuleSchema).optional() }),
);

export const StateKeepPropertiesSchema = schema('ownership-policies/StateKeepPropertiesSchema', () =>
  z.object({
    /** @default true */
    enable: z.boolean().optional(),
    /** How often live objects are compared with what was applied (`30s`, `5m`). @default 5m */
    interval: z.string().optional(),
  }),
);
export type StateKeepProperties = z.infer<typeof StateKeepPropertiesSchema>;

/** The ownership policies of one application, read once. */
export interface OwnershipPolicies {
  shared: SelectorRulesProperties['rules'];
  takeOver: SelectorRulesProperties['rules'];
  readOnly: SelectorRulesProperties['rules'];
  applyOnce: ApplyOnceProperties | undefined;
  gcRules: GcRule[];
  stateKeep: StateKeepProperties | undefined;
}

/**
 * The ownership policies written in `spec.policies`. The publish-time schema check has refused
 * malformed properties, so a policy that still does not parse (a snapshot from an older release)
 * counts as absent rather than failing a running revision.
 */
export function ownershipPoliciesOf(app: Application): OwnershipPolicies {
  const out: OwnershipPolicies = {
    shared: [],
    takeOver: [],
    readOnly: [],
    applyOnce: undefined,
    gcRules: [],
    stateKeep: undefined,
  };
  for (const policy of app.spec.policies ?? []) {
    const properties: unknown = policy.properties ?? {};
    switch (policy.type) {
      case POLICY_TYPE_SHARED_RESOURCE:
      case POLICY_TYPE_TAKE_OVER:
      case POLICY_TYPE_READ_ONLY: {
        const parsed = SelectorRulesPropertiesSchema.safeParse(properties);
        if (!parsed.success) break;
        const key =
          policy.type === POLICY_TYPE_SHARED_RESOURCE
            ? 'shared'
            : policy.type === POLICY_TYPE_TAKE_OVER
              ? 'takeOver'
              : 'readOnly';
        out[key].push(...parsed.data.rules);
        break;
      }
      case POLICY_TYPE_APPLY_ONCE: {
        const parsed = ApplyOncePropertiesSchema.safeParse(properties);
        if (parsed.success) out.applyOnce = parsed.data;
        break;
      }
      case 'garbage-collect': {
        const parsed = GcRulesPropertiesSchema.safeParse(properties);
        if (parsed.success) out.gcRules.push(...(parsed.data.rules ?? []));
        break;
      }
      case POLICY_TYPE_STATE_KEEP: {
        const parsed = StateKeepPropertiesSchema.safeParse(properties);
        if (parsed.success) out.stateKeep = parsed.data;
        break;
      }
    }
  }
  return out;
}
