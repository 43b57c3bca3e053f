import { ANNOTATION_APPLIED_AT, FIELD_MANAGER, LABEL_REVISION } from '../model/labels.js';
import { objectLabel, refOf, type KubeObject } from '../model/kube-object.js';
import type { ClusterRegistry } from './cluster-registry.js';
import { formatAge } from './format-age.js';
import { formatLabelSelector } from './label-selector.js';

export { formatAge } from './format-age.js';

/**
 * The resource tree of `revela status --tree`: for every resource the current revision rendered,
 * where it is, whether the live object belongs to this revision, when Revela last applied it and
 * the columns kubectl would show for it.
 */

export type ResourceTreeStatus = 'updated' | 'outdated' | 'not-deployed';

export interface ResourceTreeDetails {
  /** `3/3`: ready of desired replicas (Deployments). */
  Ready?: string;
  'Up-to-date'?: number;
  Available?: number;
  /** kubectl-style age of the live object: `45s`, `17m`, `3d4h`. */
  Age?: string;
  /** Wide form: container names, images and the selector, comma-separated. */
  Containers?: string;
  Images?: string;
  Selector?: string;
  /** Kind-specific extras: `Type`, `Cluster-IP`, `Ports` for Services; `Status`, `Completions`, `Duration` for Jobs. */
  [column: string]: string | number | undefined;
}

export interface ResourceTreeRow {
  readonly cluster: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  /** `Deployment/podinfo`. */
  readonly resource: string;
  readonly status: ResourceTreeStatus;
  /** ISO time Revela last applied the object: its `revela.dev/applied-at` annotation, else the time of manager `revela` in managedFields. */
  readonly applyTime?: string;
  readonly details: ResourceTreeDetails;
}

export interface ResourceTreeInput {
  readonly registry: ClusterRegistry;
  /** What the current revision rendered, per cluster. */
  readonly resources: readonly { readonly cluster: string; readonly object: KubeObject }[];
  /** The current revision (`podinfo-v3`), compared with each live object's `app.oam.dev/revision` label. */
  readonly revision: string;
  /** @default new Date() */
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/** Reads at most this many objects at once, so a large tree does not flood a cluster. */
const READ_CONCURRENCY = 8;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function count(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function podContainers(podSpec: unknown): Record<string, unknown>[] {
  const containers = record(podSpec).containers;
  return Array.isArray(containers) ? containers.map(record) : [];
}

function wide(template: unknown, selector: unknown): ResourceTreeDetails {
  const containers = podContainers(record(template).spec);
  return {
    Containers: containers.map((c) => text(c.name, '')).join(','),
    Images: containers.map((c) => text(c.image, '')).join(','),
    Selector: formatLabelSelector(selector),
  };
}

/** When Revela last applied an object: its annotation, else manager `revela`'s managedFields time. */
export function applyTimeOf(live: KubeObject): string | undefined {
  const annotated = live.metadata.annotations?.[ANNOTATION_APPLIED_AT];
  if (annotated) return annotated;
  const managed = live.metadata.managedFields;
  if (!Array.isArray(managed)) return undefined;
  const times = managed
    .map(record)
    .filter((e) => e.manager === FIELD_MANAGER && typeof e.time === 'string')
    .map((e) => new Date(e.time as string).toISOString())
    .sort();
  return times.pop();
}

/** The columns kubectl shows for a live object, by kind. */
export function resourceDetails(live: KubeObject, now: Date = new Date()): ResourceTreeDetails {
  const spec = record(live.spec);
  const status = record(live.status);
  const created = live.metadata.creationTimestamp;
  const age = typeof created === 'string' ? formatAge(now.getTime() - Date.parse(created)) : undefined;
  const details: ResourceTreeDetails = {};
  switch (live.kind) {
    case 'Deployment':
    case 'StatefulSet':
      details.Ready = `${count(status.readyReplicas)}/${count(spec.replicas, 1)}`;
      details['Up-to-date'] = count(status.updatedReplicas);
      details.Available = count(status.availableReplicas);
      if (age) details.Age = age;
      Object.assign(details, wide(spec.template, spec.selector));
      break;
    case 'Job': {
      const conditions = Array.isArray(status.conditions) ? status.conditions.map(record) : [];
      const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
      details.Status = isTrue('Complete')
        ? 'Complete'
        : isTrue('Failed')
          ? 'Failed'
          : spec.suspend === true
            ? 'Suspended'
            : 'Running';
      details.Completions = `${count(status.succeeded)}/${count(spec.completions, 1)}`;
      if (typeof status.startTime === 'string') {
        const end =
          typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now.getTime();
        details.Duration = formatAge(end - Date.parse(status.startTime));
      }
      if (age) details.Age = age;
      Object.assign(details, wide(spec.template, spec.selector));
      break;
    }
    case 'Service': {
      const ports = Array.isArray(spec.ports) ? spec.ports.map(record) : [];
      details.Type = text(spec.type, 'ClusterIP');
      details['Cluster-IP'] = text(spec.clusterIP, '<none>');
      details.Ports =
        ports.length > 0
          ? ports.map((p) => `${count(p.port)}/${text(p.protocol, 'TCP')}`).join(',')
          : '<none>';
      if (age) details.Age = age;
      details.Selector = formatLabelSelector({ matchLabels: record(spec.selector) });
      break;
    }
    default:
      if (age) details.Age = age;
  }
  return details;
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Reads every rendered resource from its cluster and reports it as `updated` (the live object
 * carries this revision), `outdated` (it carries another revision, or none) or `not-deployed`.
 * Rows are grouped by cluster and namespace, keeping the rendered order inside a group.
 *
 * @throws KubeApiError when a cluster cannot be read.
 * @throws UnknownClusterError when a resource names a cluster the registry does not know.
 */
export async function buildResourceTree(input: ResourceTreeInput): Promise<ResourceTreeRow[]> {
  const now = input.now ?? new Date();
  const rows = await mapLimited(
    input.resources,
    READ_CONCURRENCY,
    async ({ cluster, object }): Promise<ResourceTreeRow> => {
      const ref = refOf(object);
      const live = await input.registry
        .client(cluster)
        .read(ref, input.signal ? { signal: input.signal } : {});
      const base = { cluster, namespace: ref.namespace ?? '', resource: objectLabel(ref) };
      if (!live) return { ...base, status: 'not-deployed', details: {} };
      const applyTime = applyTimeOf(live);
      return {
        ...base,
        status: live.metadata.labels?.[LABEL_REVISION] === input.revision ? 'updated' : 'outdated',
        ...(applyTime !== undefined ? { applyTime } : {}),
        details: resourceDetails(live, now),
      };
    },
  );
  const order = new Map(rows.map((row, index) => [row, index]));
  return rows.sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) ||
      a.namespace.localeCompare(b.namespace) ||
      (order.get(a) ?? 0) - (order.get(b) ?? 0),
  );
}
