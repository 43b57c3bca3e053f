/**
 * Placement: turns the policies a deploy step names into per-cluster component sets. `topology`
 * policies choose clusters and the namespace; `override` policies select components (by name
 * and/or type) and merge properties and traits into them. Other policy types do not affect
 * placement.
 *
 * Workflow-safe.
 */
import { applicationLabel, type Application } from './application.js';
import { LOCAL_CLUSTER, type ClusterInfo } from './cluster-info.js';
import { deepMerge } from './deep-merge.js';
import { parseWith } from './document.js';
import { MissingReferenceError, NoClusterMatchesError, UnknownClusterError } from './errors.js';
import { jsonClone } from './json-clone.js';
import {
  OverridePropertiesSchema,
  POLICY_TYPE_OVERRIDE,
  POLICY_TYPE_REPLICATION,
  POLICY_TYPE_TOPOLOGY,
  ReplicationPropertiesSchema,
  TopologyPropertiesSchema,
  type OverrideProperties,
} from './policy.js';
import type { RevisionSnapshot } from './snapshot.js';

export interface ResolvedTrait {
  type: string;
  properties: Record<string, unknown>;
}

/** A component as it is rendered for one target: overrides applied, defaults filled in. */
export interface ResolvedComponent {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  traits: ResolvedTrait[];
  dependsOn: string[];
  /** Set on the copies a `replication` policy makes; templates see it as `context.replicaKey`. */
  replicaKey?: string;
}

/** What one deploy step puts into one namespace of one cluster. */
export interface PlacementTarget {
  cluster: string;
  namespace: string;
  components: ResolvedComponent[];
}

export interface PlacementOptions {
  /** The step being placed, named in errors. */
  step?: string;
}

/** A policy as placement needs it, inline or external. */
interface NamedPolicy {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  /** `Application examples/podinfo` or `Policy examples/x`, and the path of its properties. */
  object: string;
  propertiesPath: string;
}

/** The application's components, as written (no overrides). */
export function resolveComponents(app: Application): ResolvedComponent[] {
  return app.spec.components.map((component) => ({
    name: component.name,
    type: component.type,
    properties: jsonClone(component.properties ?? {}),
    traits: (component.traits ?? []).map((trait) => ({
      type: trait.type,
      properties: jsonClone(trait.properties ?? {}),
    })),
    dependsOn: [...(component.dependsOn ?? [])],
  }));
}

/**
 * The components named (all when `names` is undefined), for `apply-component`.
 *
 * @throws MissingReferenceError for a name the application does not have.
 */
export function selectComponents(snapshot: RevisionSnapshot, names?: readonly string[]): ResolvedComponent[] {
  const all = resolveComponents(snapshot.application);
  if (names === undefined) return all;
  return names.map((name) => {
    const found = all.find((c) => c.name === name);
    if (!found) {
      throw new MissingReferenceError(
        'Component',
        name,
        `component "${name}" is not part of the application; components: ${all.map((c) => c.name).join(', ')}`,
        { object: applicationLabel(snapshot.application), path: 'spec.components' },
      );
    }
    return found;
  });
}

function lookupPolicies(
  snapshot: RevisionSnapshot,
  policyNames: readonly string[],
  options: PlacementOptions,
): NamedPolicy[] {
  const app = snapshot.application;
  const appLabel = applicationLabel(app);
  return policyNames.map((name, index) => {
    const inlineIndex = (app.spec.policies ?? []).findIndex((p) => p.name === name);
    const inline = app.spec.policies?.[inlineIndex];
    if (inline) {
      return {
        name,
        type: inline.type,
        properties: inline.properties ?? {},
        object: appLabel,
        propertiesPath: `spec.policies[${inlineIndex}].properties`,
      };
    }
    const external = snapshot.externalPolicies[name];
    if (external) {
      const ns = external.metadata.namespace ?? app.metadata.namespace;
      return {
        name,
        type: external.type,
        properties: external.properties ?? {},
        object: `Policy ${ns}/${name}`,
        propertiesPath: 'properties',
      };
    }
    const step = options.step === undefined ? 'the deploy step' : `step "${options.step}"`;
    throw new MissingReferenceError(
      'Policy',
      name,
      `${step} names policy "${name}", which is neither in spec.policies nor an external policy of the revision`,
      {
        object: appLabel,
        path:
          options.step === undefined
            ? `policies[${index}]`
            : `steps.${options.step}.properties.policies[${index}]`,
      },
    );
  });
}

function formatSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function byName(a: ClusterInfo, b: ClusterInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The clusters and namespace one topology policy selects, sorted by cluster name. */
function topologyTargets(
  policy: NamedPolicy,
  appNamespace: string,
  clusters: readonly ClusterInfo[],
): { cluster: string; namespace: string }[] {
  const props = parseWith(TopologyPropertiesSchema, policy.properties, {
    object: policy.object,
    basePath: policy.propertiesPath,
  });
  const known = [...clusters].sort(byName).map((c) => c.name);
  const selected = new Set<string>();
  for (const [i, name] of (props.clusters ?? []).entries()) {
    if (name !== LOCAL_CLUSTER && !clusters.some((c) => c.name === name)) {
      throw new UnknownClusterError(name, known, {
        object: policy.object,
        path: `${policy.propertiesPath}.clusters[${i}]`,
      });
    }
    selected.add(name);
  }
  const selector = props.clusterLabelSelector ?? props.clusterSelector;
  if (selector !== undefined) {
    const matching = clusters.filter((c) => Object.entries(selector).every(([k, v]) => c.labels[k] === v));
    if (matching.length === 0) {
      const field = props.clusterLabelSelector !== undefined ? 'clusterLabelSelector' : 'clusterSelector';
      throw new NoClusterMatchesError(formatSelector(selector), known, {
        object: policy.object,
        path: `${policy.propertiesPath}.${field}`,
      });
    }
    for (const c of matching) selected.add(c.name);
  }
  if (props.clusters === undefined && selector === undefined) selected.add(LOCAL_CLUSTER);
  const namespace = props.namespace ?? appNamespace;
  return [...selected].sort().map((cluster) => ({ cluster, namespace }));
}

function matchesSelector(component: ResolvedComponent, selector: { name?: string; type?: string }): boolean {
  if (selector.name !== undefined && selector.name !== component.name) return false;
  if (selector.type !== undefined && selector.type !== component.type) return false;
  return true;
}

/** Applies one override policy to components (returns new objects). */
export function applyOverride(
  components: readonly ResolvedComponent[],
  override: OverrideProperties,
): ResolvedComponent[] {
  return overrideOwned(
    components.map((c) => jsonClone(c)),
    override,
  );
}

/**
 * `applyOverride` on components the caller made for the purpose and drops afterwards: the result
 * shares the members an override leaves alone with them instead of copying every component first.
 */
function overrideOwned(components: ResolvedComponent[], override: OverrideProperties): ResolvedComponent[] {
  let out = components;
  for (const patch of override.components) {
    out = out.map((component) => {
      if (!matchesSelector(component, patch)) return component;
      const properties = patch.properties
        ? deepMerge(component.properties, patch.properties)
        : component.properties;
      let traits = component.traits;
      for (const traitPatch of patch.traits ?? []) {
        const index = traits.findIndex((t) => t.type === traitPatch.type);
        if (traitPatch.disable === true) {
          traits = traits.filter((t) => t.type !== traitPatch.type);
        } else if (index === -1) {
          traits = [...traits, { type: traitPatch.type, properties: jsonClone(traitPatch.properties ?? {}) }];
        } else {
          traits = traits.map((t, i) =>
            i === index
              ? { type: t.type, properties: deepMerge(t.properties, traitPatch.properties ?? {}) }
              : t,
          );
        }
      }
      return { ...component, properties, traits };
    });
  }
  if (override.selector !== undefined) {
    const keep = new Set(override.selector);
    out = out.filter((c) => keep.has(c.name));
  }
  return out;
}

/**
 * The components of the application after the override policies among `policyNames`, in order.
 * Used by placement and by snapshot validation (which checks the merged properties).
 */
export function overriddenComponents(
  snapshot: RevisionSnapshot,
  policyNames: readonly string[],
  options: PlacementOptions = {},
): ResolvedComponent[] {
  const policies = lookupPolicies(snapshot, policyNames, options);
  let components = resolveComponents(snapshot.application);
  for (const policy of policies) {
    if (policy.type !== POLICY_TYPE_OVERRIDE) continue;
    const props = parseWith(OverridePropertiesSchema, policy.properties, {
      object: policy.object,
      basePath: policy.propertiesPath,
    });
    // Made by resolveComponents for this call, and replaced by the result.
    components = overrideOwned(components, props);
  }
  return components;
}

/**
 * KubeVela's replication: each selected component once per key, in key order, the copies keeping
 * the component's name (the template tells them apart by `context.replicaKey`).
 */
function replicate(
  components: readonly ResolvedComponent[],
  policies: readonly NamedPolicy[],
): ResolvedComponent[] {
  let out = [...components];
  for (const policy of policies) {
    if (policy.type !== POLICY_TYPE_REPLICATION) continue;
    const props = parseWith(ReplicationPropertiesSchema, policy.properties, {
      object: policy.object,
      basePath: policy.propertiesPath,
    });
    const selected = (c: ResolvedComponent) =>
      props.selector === undefined || props.selector.includes(c.name);
    out = out.flatMap((c) =>
      selected(c) && c.replicaKey === undefined
        ? props.keys.map((replicaKey) => ({ ...jsonClone(c), replicaKey }))
        : [c],
    );
  }
  return out;
}

/**
 * Where and what a deploy step with these policies deploys. Targets come in topology order, then
 * by cluster name; a (cluster, namespace) pair appears once. Without a topology policy the
 * target is the local cluster in the application's namespace.
 *
 * @throws MissingReferenceError for a policy that is neither inline nor external.
 * @throws UnknownClusterError for a `clusters` entry the registry does not have.
 * @throws NoClusterMatchesError when a `clusterLabelSelector` matches no cluster.
 */
export function resolvePlacement(
  snapshot: RevisionSnapshot,
  policyNames: readonly string[],
  clusters: readonly ClusterInfo[],
  options: PlacementOptions = {},
): PlacementTarget[] {
  const app = snapshot.application;
  const policies = lookupPolicies(snapshot, policyNames, options);
  const components = replicate(overriddenComponents(snapshot, policyNames, options), policies);
  const topologies = policies.filter((p) => p.type === POLICY_TYPE_TOPOLOGY);
  const places =
    topologies.length === 0
      ? [{ cluster: LOCAL_CLUSTER, namespace: app.metadata.namespace }]
      : topologies.flatMap((policy) => topologyTargets(policy, app.metadata.namespace, clusters));
  const seen = new Set<string>();
  const targets: PlacementTarget[] = [];
  for (const place of places) {
    const key = `${place.cluster}\u0000${place.namespace}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The first target takes the components made above; each other target gets its own copy, so
    // that a caller changing one target's components changes no other.
    targets.push({ ...place, components: targets.length === 0 ? components : jsonClone(components) });
  }
  return targets;
}
