/**
 * `ref-objects` components: existing objects that an application reads (from any registered
 * cluster) and deploys to its targets. Their content is recorded in the snapshot at publish time,
 * so a revision always deploys what it was published with. Secrets are recorded by reference and
 * content hash only, and rendered as references that the apply step resolves from the source.
 *
 * Workflow-safe.
 */
import { applicationLabel, type Application } from './application.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import { UnknownClusterError } from './errors.js';
import type { KubeObject, ObjectRef } from './kube-object.js';

export const COMPONENT_TYPE_REF_OBJECTS = 'ref-objects';

/** Annotation on a rendered Secret reference: `<cluster>/<namespace>/<name>` of the source Secret. */
export const ANNOTATION_SECRET_SOURCE = 'revela.dev/secret-source';
/** Annotation on a rendered Secret reference: the SHA-256 of the source data at publish time. */
export const ANNOTATION_SECRET_DATA_SHA256 = 'revela.dev/secret-data-sha256';

/** Short resource names KubeVela accepts in `objects[].resource`. */
const RESOURCES: Readonly<Record<string, { apiVersion: string; kind: string }>> = {
  configmap: { apiVersion: 'v1', kind: 'ConfigMap' },
  secret: { apiVersion: 'v1', kind: 'Secret' },
  service: { apiVersion: 'v1', kind: 'Service' },
  serviceaccount: { apiVersion: 'v1', kind: 'ServiceAccount' },
  persistentvolumeclaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  statefulset: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  daemonset: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  job: { apiVersion: 'batch/v1', kind: 'Job' },
  cronjob: { apiVersion: 'batch/v1', kind: 'CronJob' },
  ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
};

/** Kinds of the core group, whose apiVersion may be left out. */
const CORE_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'Service',
  'ServiceAccount',
  'PersistentVolumeClaim',
  'Namespace',
]);

/** One entry of a `ref-objects` component: an object by name, or every object matching labels. */
export interface ReferencedObjectRef {
  /** The cluster to read from; undefined means the local cluster. */
  cluster?: string;
  /** Kind, namespace and name; with `labelSelector` the name is the component's and unused. */
  ref: ObjectRef;
  /** Every object of the kind in the namespace whose labels include these (KubeVela's `labelSelector`). */
  labelSelector?: Record<string, string>;
  /** The component and index it comes from. */
  component: string;
  index: number;
  /** `spec.components[2].properties.objects[0]`. */
  path: string;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The API group of an apiVersion (`apps` of `apps/v1`, `` of `v1`). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function resolveKind(entry: Record<string, unknown>): { apiVersion: string; kind: string } | undefined {
  if (typeof entry.kind === 'string' && entry.kind !== '') {
    if (typeof entry.apiVersion === 'string' && entry.apiVersion !== '')
      return { apiVersion: entry.apiVersion, kind: entry.kind };
    return CORE_KINDS.has(entry.kind) ? { apiVersion: 'v1', kind: entry.kind } : undefined;
  }
  if (typeof entry.resource !== 'string') return undefined;
  const known = RESOURCES[entry.resource.toLowerCase().replace(/s$/, '')];
  // `group` only confirms the group here: Revela knows one version per short resource name.
  if (known && typeof entry.group === 'string' && entry.group !== groupOf(known.apiVersion)) return undefined;
  return known;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The objects each `ref-objects` component of the application reads, in component and list
 * order. An entry without a name reads the object named after the component, as KubeVela does.
 * Entries that cannot be resolved (no kind) are skipped here; parameter validation reports them.
 */
export function referencedObjectRefsDetailed(app: Application): ReferencedObjectRef[] {
  const out: ReferencedObjectRef[] = [];
  app.spec.components.forEach((component, componentIndex) => {
    if (component.type !== COMPONENT_TYPE_REF_OBJECTS) return;
    const objects = component.properties?.objects;
    if (!Array.isArray(objects)) return;
    objects.forEach((raw: unknown, index) => {
      const entry = asRecord(raw);
      if (!entry) return;
      const kind = resolveKind(entry);
      if (!kind) return;
      const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : component.name;
      const ref: ObjectRef = { ...kind, name };
      ref.namespace =
        typeof entry.namespace === 'string' && entry.namespace !== ''
          ? entry.namespace
          : app.metadata.namespace;
      const item: ReferencedObjectRef = {
        ref,
        component: component.name,
        index,
        path: `spec.components[${componentIndex}].properties.objects[${index}]`,
      };
      if (typeof entry.cluster === 'string' && entry.cluster !== '') item.cluster = entry.cluster;
      const selector = stringMap(entry.labelSelector);
      if (selector !== undefined && typeof entry.name !== 'string') item.labelSelector = selector;
      out.push(item);
    });
  });
  return out;
}

/** The objects `ref-objects` components read by name: what an activity must fetch before building a snapshot. */
export function referencedObjectRefs(app: Application): { cluster?: string; ref: ObjectRef }[] {
  return referencedObjectRefsDetailed(app)
    .filter((r) => r.labelSelector === undefined)
    .map(({ cluster, ref }) => (cluster === undefined ? { ref } : { cluster, ref }));
}

/** How a caller reads cluster objects for `readReferencedObjects` (a cluster registry, or files). */
export interface ReferencedObjectReader {
  read(cluster: string, ref: ObjectRef): Promise<KubeObject | undefined>;
  list(
    cluster: string,
    query: { apiVersion: string; kind: string; namespace?: string; labelSelector: Record<string, string> },
  ): Promise<KubeObject[]>;
}

/**
 * Reads every object the `ref-objects` components name, by name or by label selector. An object
 * that is not there is left out: `buildSnapshot` then names the entry that reads it, the same
 * error wherever the snapshot is built (client preflight, resolve activity, dry run).
 */
export async function readReferencedObjects(
  app: Application,
  reader: ReferencedObjectReader,
): Promise<{ cluster: string; object: KubeObject }[]> {
  const found = await Promise.all(
    referencedObjectRefsDetailed(app).map(async (r) => {
      const cluster = r.cluster ?? LOCAL_CLUSTER;
      if (r.labelSelector !== undefined) {
        const query = { apiVersion: r.ref.apiVersion, kind: r.ref.kind, labelSelector: r.labelSelector };
        const items = await reader.list(
          cluster,
          r.ref.namespace === undefined ? query : { ...query, namespace: r.ref.namespace },
        );
        return items.map((object) => ({ cluster, object }));
      }
      const object = await reader.read(cluster, r.ref);
      return object ? [{ cluster, object }] : [];
    }),
  );
  return found.flat();
}

/**
 * The recorded objects one entry stands for: the named object, or every object matching its
 * label selector, by name.
 */
export function objectsForRef<T extends { cluster: string; object: KubeObject }>(
  recorded: readonly T[],
  r: ReferencedObjectRef,
): T[] {
  const cluster = r.cluster ?? LOCAL_CLUSTER;
  if (r.labelSelector === undefined) {
    const one = recorded.find((o) => o.cluster === cluster && matchesRef(o.object, r.ref));
    return one ? [one] : [];
  }
  const selector = r.labelSelector;
  return recorded
    .filter(
      (o) =>
        o.cluster === cluster &&
        o.object.kind === r.ref.kind &&
        o.object.apiVersion === r.ref.apiVersion &&
        (o.object.metadata.namespace ?? undefined) === (r.ref.namespace ?? undefined) &&
        Object.entries(selector).every(([k, v]) => o.object.metadata.labels?.[k] === v),
    )
    .sort((a, b) => (a.object.metadata.name < b.object.metadata.name ? -1 : 1));
}

/** `ConfigMap examples/settings` or `ConfigMap objects in namespace examples labelled tier=config`. */
export function describeRef(r: ReferencedObjectRef): string {
  const ns = r.ref.namespace ?? '';
  if (r.labelSelector === undefined) return `${r.ref.kind} ${ns}/${r.ref.name}`;
  const labels = Object.entries(r.labelSelector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${r.ref.kind} objects in namespace ${ns} labelled ${labels}`;
}

/**
 * Every cluster the `ref-objects` components read from must be registered. Checked before anything
 * is read, so the error names the entry to fix (`spec.components[0].properties.objects[1].cluster`)
 * instead of surfacing as the registry's bare "unknown cluster".
 *
 * @throws UnknownClusterError with the application and the path of the entry.
 */
export function checkReferencedClusters(app: Application, clusters: readonly string[]): void {
  for (const r of referencedObjectRefsDetailed(app)) {
    const cluster = r.cluster ?? LOCAL_CLUSTER;
    if (clusters.includes(cluster)) continue;
    throw new UnknownClusterError(cluster, [...clusters].sort(), {
      object: applicationLabel(app),
      path: r.cluster === undefined ? r.path : `${r.path}.cluster`,
    });
  }
}

/** True when `object` is the one `ref` names (kind, apiVersion, namespace, name). */
export function matchesRef(object: KubeObject, ref: ObjectRef): boolean {
  return (
    object.kind === ref.kind &&
    object.apiVersion === ref.apiVersion &&
    object.metadata.name === ref.name &&
    (object.metadata.namespace ?? undefined) === (ref.namespace ?? undefined)
  );
}

/** The source of a rendered Secret reference, or undefined for any other object. */
export function secretReferenceSource(
  object: KubeObject,
): { cluster: string; namespace: string; name: string; dataSha256: string } | undefined {
  if (object.kind !== 'Secret') return undefined;
  const source = object.metadata.annotations?.[ANNOTATION_SECRET_SOURCE];
  const dataSha256 = object.metadata.annotations?.[ANNOTATION_SECRET_DATA_SHA256];
  if (source === undefined || dataSha256 === undefined) return undefined;
  const [cluster, namespace, name] = source.split('/');
  if (!cluster || !namespace || !name) return undefined;
  return { cluster, namespace, name, dataSha256 };
}
