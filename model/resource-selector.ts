/**
 * KubeVela's resource selector (`rules[].selector` of the shared-resource, take-over, read-only,
 * apply-once and garbage-collect policies): which rendered objects a rule is about.
 *
 * Every condition that is given must match (KubeVela ≥ 1.6 combines them with AND); a value
 * matches when the list contains it. A selector without conditions selects nothing, so a rule
 * written as `selector: {}` never widens to every object by accident.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import type { KubeObject } from './kube-object.js';
import { LABEL_COMPONENT, LABEL_RESOURCE_TYPE, LABEL_TRAIT_TYPE, LABEL_WORKLOAD_TYPE } from './labels.js';

/**
 * KubeVela's `oamTypes`, the `app.oam.dev/resourceType` label: `WORKLOAD` for a component's
 * workload, `TRAIT` for every other object it renders.
 */
export const OAM_TYPES = ['WORKLOAD', 'TRAIT'] as const;
export type OamType = (typeof OAM_TYPES)[number];

const names = schema('resource-selector/names', () => z.array(z.string().min(1)).optional());

export const ResourceSelectorSchema = schema('resource-selector/ResourceSelectorSchema', () =>
  z.strictObject({
    /** Kinds, e.g. `Deployment`, `ConfigMap`. */
    resourceTypes: names,
    /** `metadata.name` of the objects. */
    resourceNames: names,
    /** Names of the components that render them. */
    componentNames: names,
    /** Types of those components, e.g. `webservice`. */
    componentTypes: names,
    /** Types of the traits that render them, e.g. `expose`. */
    traitTypes: names,
    oamTypes: z.array(z.enum(OAM_TYPES)).optional(),
  }),
);
export type ResourceSelector = z.infer<typeof ResourceSelectorSchema>;

/** What a selector can look at about one object. Unknown facts never match a condition on them. */
export interface ResourceFacts {
  readonly kind: string;
  readonly name: string;
  readonly component?: string;
  readonly componentType?: string;
  readonly trait?: string;
  readonly oamType?: OamType;
}

/** True when every condition the selector gives holds for the object, and it gives at least one. */
export function matchesSelector(selector: ResourceSelector, facts: ResourceFacts): boolean {
  const conditions: [readonly string[] | undefined, string | undefined][] = [
    [selector.resourceTypes, facts.kind],
    [selector.resourceNames, facts.name],
    [selector.componentNames, facts.component],
    [selector.componentTypes, facts.componentType],
    [selector.traitTypes, facts.trait],
    [selector.oamTypes, facts.oamType],
  ];
  let given = 0;
  for (const [values, fact] of conditions) {
    if (values === undefined) continue;
    given += 1;
    if (fact === undefined || !values.includes(fact)) return false;
  }
  return given > 0;
}

/**
 * The facts an object's labels carry (as KubeVela matches them): component, workload type, OAM
 * resource type and trait type. `componentTypes` fills the type for objects rendered before the
 * workload label existed.
 */
export function factsOf(
  object: Pick<KubeObject, 'kind' | 'metadata'>,
  componentTypes: Readonly<Record<string, string>> = {},
): ResourceFacts {
  const labels = object.metadata.labels ?? {};
  const component = labels[LABEL_COMPONENT];
  const componentType =
    labels[LABEL_WORKLOAD_TYPE] ?? (component !== undefined ? componentTypes[component] : undefined);
  const oamType = (OAM_TYPES as readonly string[]).includes(labels[LABEL_RESOURCE_TYPE] ?? '')
    ? (labels[LABEL_RESOURCE_TYPE] as OamType)
    : undefined;
  const trait = labels[LABEL_TRAIT_TYPE];
  return {
    kind: object.kind,
    name: object.metadata.name,
    ...(component !== undefined ? { component } : {}),
    ...(componentType !== undefined ? { componentType } : {}),
    ...(trait !== undefined ? { trait } : {}),
    ...(oamType !== undefined ? { oamType } : {}),
  };
}
