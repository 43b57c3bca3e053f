/**
 * What a template returned, turned into objects Revela can apply: the shape checks on `output`
 * and `outputs`, the namespace and labels every rendered object carries, and the metadata checks
 * Kubernetes would otherwise make on a cluster, after the revision was recorded.
 *
 * Not workflow-safe only because its callers are not; the functions are pure.
 */
import { sortKeysOwned } from './canonical-json.js';
import { InvalidParametersError, TemplateError } from './errors.js';
import type { KubeObject } from './kube-object.js';
import {
  LABEL_APP_NAME,
  LABEL_APP_NAMESPACE,
  LABEL_APP_REVISION,
  LABEL_COMPONENT,
  LABEL_REPLICA_KEY,
  LABEL_RESOURCE_TYPE,
  LABEL_REVISION,
  LABEL_TRAIT_RESOURCE,
  LABEL_TRAIT_TYPE,
  LABEL_WORKLOAD_TYPE,
} from './labels.js';
import { labelProblem, objectNameProblem } from './object-meta.js';
import type { ResolvedComponent } from './placement.js';

/** Where a component is being rendered. */
export interface RenderContext {
  appName: string;
  appNamespace: string;
  /** The target namespace. */
  namespace: string;
  /** The revision name, e.g. `podinfo-v1` (the `app.oam.dev/revision` label). */
  revision: string;
  cluster: string;
}

/** Which part of a component an object is: its workload, or an output of it or of a trait. */
export type RenderedRole =
  { role: 'workload'; componentType: string } | { role: 'output'; name: string; trait?: string };

/** KubeVela's `trait.oam.dev/type` for outputs that a component (not a trait) renders. */
export const AUXILIARY_WORKLOAD = 'AuxiliaryWorkload';

/** Kinds that have no namespace. Objects of other kinds are put in the target namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'VolumeAttachment',
]);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a template's result is judged, for error messages. */
export interface ResultLocation {
  /** The definition's name, e.g. `webservice`. */
  definition: string;
  /** `ComponentDefinition webservice`. */
  object: string;
  /** `spec.schematic.jsonata.template`. */
  path: string;
}

/** Checks a template result is an object Revela can apply; `defaultName` fills a missing name. */
export function asKubeObject(
  value: unknown,
  what: string,
  at: ResultLocation,
  defaultName?: string,
): KubeObject {
  const fail = (reason: string): never => {
    throw new TemplateError(at.definition, `${what} ${reason}`, { object: at.object, path: at.path });
  };
  if (!isRecord(value))
    return fail(
      `must be an object with apiVersion, kind and metadata, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return fail('has no apiVersion');
  if (typeof value.kind !== 'string' || value.kind === '') return fail('has no kind');
  const metadata = isRecord(value.metadata) ? { ...value.metadata } : {};
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    if (defaultName === undefined) return fail(`(${value.kind}) has no metadata.name`);
    metadata.name = defaultName;
  }
  return { ...value, metadata } as KubeObject;
}

/** A template's `outputs` as named entries (an array is named by index). */
export function asOutputs(value: unknown, what: string, at: ResultLocation): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item, i) => [String(i), item]);
  if (isRecord(value)) return Object.entries(value);
  throw new TemplateError(
    at.definition,
    `${what} must be an object of named objects, got ${JSON.stringify(value)}`,
    { object: at.object, path: at.path },
  );
}

/**
 * KubeVela's labels for the object's role, given to `put`. A value Kubernetes would refuse (a
 * definition name longer than 63 characters, an output named `my output`) is left out rather
 * than failing a render that worked before these labels existed.
 */
function roleLabels(role: RenderedRole, put: (key: string, value: string) => void): void {
  const valid = (key: string, value: string): void => {
    if (labelProblem(key, value) === undefined) put(key, value);
  };
  if (role.role === 'workload') {
    valid(LABEL_WORKLOAD_TYPE, role.componentType);
    valid(LABEL_RESOURCE_TYPE, 'WORKLOAD');
  } else {
    valid(LABEL_RESOURCE_TYPE, 'TRAIT');
    valid(LABEL_TRAIT_TYPE, role.trait ?? AUXILIARY_WORKLOAD);
    valid(LABEL_TRAIT_RESOURCE, role.name);
  }
}

/** Template labels first, then the role's, then Revela's: later ones win. */
function eachLabel(
  template: Record<string, unknown>,
  ctx: RenderContext,
  component: string,
  role: RenderedRole,
  replicaKey: string | undefined,
  put: (key: string, value: unknown) => void,
): void {
  // for…in with an own-key test, as `{ ...labels }` copies them (own enumerable string keys).
  for (const key in template) if (Object.hasOwn(template, key)) put(key, template[key]);
  roleLabels(role, put);
  put(LABEL_APP_REVISION, ctx.revision);
  put(LABEL_APP_NAME, ctx.appName);
  put(LABEL_APP_NAMESPACE, ctx.appNamespace);
  put(LABEL_COMPONENT, component);
  put(LABEL_REVISION, ctx.revision);
  if (replicaKey !== undefined) put(LABEL_REPLICA_KEY, replicaKey);
}

/**
 * Keys and values as parallel arrays, kept sorted by key (UTF-16 code units, as `sort()`), a
 * later value for a key replacing the earlier one. An object's dozen labels fit an insertion
 * sort; building the object once from them saves building it unsorted first and again sorted.
 */
class SortedEntries {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];

  put(key: string, value: unknown): void {
    const { keys, values } = this;
    let i = keys.length;
    while (i > 0 && (keys[i - 1] as string) > key) i--;
    if (i > 0 && keys[i - 1] === key) {
      values[i - 1] = value;
      return;
    }
    // Shifted by hand: `splice` would allocate the (empty) array of what it removed.
    for (let j = keys.length; j > i; j--) {
      keys[j] = keys[j - 1] as string;
      values[j] = values[j - 1];
    }
    keys[i] = key;
    values[i] = value;
  }

  /** A plain object of the entries, in key order; `__proto__` (an own key only here) refused. */
  toObject(): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      if (key === '__proto__') return undefined;
      out[key] = this.values[i];
    }
    return out;
  }
}

/** `{ ...value }` copies these members as JSON would not: left to the general path. */
function isPlainMembers(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return !Object.hasOwn(value, '__proto__') && !Object.hasOwn(value, 'toJSON');
}

/**
 * Namespace and labels every rendered object carries: Revela's four (which garbage collection and
 * ownership rely on, so they win over a template's) and KubeVela's. Keys come out sorted.
 *
 * Takes `object` over: the result is `object` itself with its members sorted in place (see
 * `sortKeysOwned`), so the caller must hold the only reference to them — a render's template
 * results are fresh JSON, and nothing else keeps what it builds from them.
 */
export function finishObject(
  object: KubeObject,
  ctx: RenderContext,
  component: string,
  role: RenderedRole,
  replicaKey?: string,
): KubeObject {
  const source: unknown = object.metadata;
  const templateLabels: unknown = isRecord(source) ? source.labels : undefined;
  const plainLabels = templateLabels === undefined || isPlainMembers(templateLabels);
  if (!isPlainMembers(source) || !plainLabels) {
    return finishObjectGenerally(object, ctx, component, role, replicaKey);
  }
  // Metadata and labels are built once, already in key order, so that `sortKeysOwned` keeps them
  // as they are: a copy of each, amended and then rebuilt sorted, was a tenth of a render.
  const labels = new SortedEntries();
  eachLabel(templateLabels ?? {}, ctx, component, role, replicaKey, (k, v) => labels.put(k, v));
  const labelObject = labels.toObject();
  const metadata = new SortedEntries();
  for (const key in source) if (Object.hasOwn(source, key)) metadata.put(key, source[key]);
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) removeEntry(metadata, 'namespace');
  else metadata.put('namespace', ctx.namespace);
  metadata.put('labels', labelObject);
  const metadataObject = metadata.toObject();
  if (labelObject === undefined || metadataObject === undefined) {
    return finishObjectGenerally(object, ctx, component, role, replicaKey);
  }
  // The member is replaced where it stands, as `{ ...object, metadata }` placed it.
  object.metadata = metadataObject as KubeObject['metadata'];
  return sortKeysOwned(object);
}

function removeEntry(entries: SortedEntries, key: string): void {
  const i = entries.keys.indexOf(key);
  if (i === -1) return;
  entries.keys.splice(i, 1);
  entries.values.splice(i, 1);
}

/** `finishObject` for metadata that is not plain JSON members: copied, amended, then sorted. */
function finishObjectGenerally(
  object: KubeObject,
  ctx: RenderContext,
  component: string,
  role: RenderedRole,
  replicaKey?: string,
): KubeObject {
  const metadata: KubeObject['metadata'] = { ...object.metadata };
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) delete metadata.namespace;
  else metadata.namespace = ctx.namespace;
  // Assigned one by one: an object literal of spreads and computed keys cost more than the rest
  // of finishing the object. Later assignments win, as later members of the literal did.
  const labels: Record<string, unknown> = { ...metadata.labels };
  eachLabel({}, ctx, component, role, replicaKey, (key, value) => {
    labels[key] = value;
  });
  metadata.labels = labels as Record<string, string>;
  return sortKeysOwned({ ...object, metadata });
}

/**
 * Names and labels Kubernetes would refuse (a k8s-objects ConfigMap named `App_Settings`, a label
 * value with spaces from the labels trait) are refused here: the publish-time dry run renders
 * every step, so the publish fails with the component's path instead of the revision failing on
 * a cluster with a 422 after it was recorded.
 */
export function checkKubernetesMetadata(
  object: KubeObject,
  component: ResolvedComponent,
  location: { object: string; path: string },
): void {
  const what = `${object.kind} "${object.metadata.name}"`;
  const refuse = (field: string, problem: string): never => {
    throw new InvalidParametersError(
      component.type,
      `renders ${what}, which Kubernetes would refuse: ${field}: ${problem}`,
      location,
    );
  };
  const nameProblem = objectNameProblem(object.kind, object.metadata.name);
  if (nameProblem !== undefined) refuse('metadata.name', nameProblem);
  const labels = object.metadata.labels ?? {};
  // for…in with an own-key test: Object.entries' members without an array of pairs per object.
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    const problem = labelProblem(key, labels[key]);
    if (problem !== undefined) refuse(`metadata.labels.${key}`, problem);
  }
}
