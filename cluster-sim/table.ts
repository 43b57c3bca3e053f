import { formatAge } from '../kube/format-age.js';
import { isPlainObject, str, type JsonObject } from './json.js';
import type { ResourceType } from './resource-types.js';
import { formatLabelSelector } from '../kube/label-selector.js';

/**
 * Server-side printing: `kubectl get` asks for `meta.k8s.io/v1 Table` and prints exactly these
 * columns (priority-1 columns only with `-o wide`), so the columns follow the upstream printers.
 */

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly priority?: number;
  readonly format?: string;
  readonly description: string;
  readonly cell: (o: JsonObject, now: number) => string | number;
}

function obj(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function age(o: JsonObject, now: number): string {
  const created = obj(o.metadata).creationTimestamp;
  return typeof created === 'string' ? formatAge(now - Date.parse(created)) : '<unknown>';
}

function containers(o: JsonObject, path: 'template' | 'pod'): JsonObject[] {
  const spec = path === 'template' ? obj(obj(obj(o.spec).template).spec) : obj(o.spec);
  return Array.isArray(spec.containers) ? spec.containers.map(obj) : [];
}

const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (o) => String(obj(o.metadata).name),
};
const AGE: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: age,
};

const workloadWide: Column[] = [
  {
    name: 'Containers',
    type: 'string',
    priority: 1,
    description: 'Names of each container in the template.',
    cell: (o) =>
      containers(o, 'template')
        .map((c) => String(c.name))
        .join(','),
  },
  {
    name: 'Images',
    type: 'string',
    priority: 1,
    description: 'Images referenced by each container in the template.',
    cell: (o) =>
      containers(o, 'template')
        .map((c) => String(c.image))
        .join(','),
  },
  {
    name: 'Selector',
    type: 'string',
    priority: 1,
    description: 'The label selector of the workload.',
    cell: (o) => formatLabelSelector(obj(o.spec).selector),
  },
];

function servicePorts(o: JsonObject): string {
  const ports = obj(o.spec).ports;
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .map(obj)
    .map((p) => `${num(p.port)}${p.nodePort ? `:${num(p.nodePort)}` : ''}/${str(p.protocol, 'TCP')}`)
    .join(',');
}

function jobStatus(o: JsonObject): string {
  const conditions = Array.isArray(obj(o.status).conditions)
    ? (obj(o.status).conditions as unknown[]).map(obj)
    : [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (obj(o.spec).suspend === true) return 'Suspended';
  return 'Running';
}

function jobDuration(o: JsonObject, now: number): string {
  const status = obj(o.status);
  if (typeof status.startTime !== 'string') return '';
  const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now;
  return formatAge(end - Date.parse(status.startTime));
}

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  Deployment: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state',
      cell: (o) => `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas)}`,
    },
    {
      name: 'Up-to-date',
      type: 'integer',
      description:
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      cell: (o) => num(obj(o.status).updatedReplicas),
    },
    {
      name: 'Available',
      type: 'integer',
      description:
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      cell: (o) => num(obj(o.status).availableReplicas),
    },
    AGE,
    ...workloadWide,
  ],
  StatefulSet: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state',
      cell: (o) => `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas ?? 1)}`,
    },
    AGE,
    ...workloadWide.slice(0, 2),
  ],
  Job: [
    NAME,
    { name: 'Status', type: 'string', description: 'Status of the job.', cell: jobStatus },
    {
      name: 'Completions',
      type: 'string',
      description: 'The completion status of the job.',
      cell: (o) => `${num(obj(o.status).succeeded)}/${num(obj(o.spec).completions ?? 1)}`,
    },
    {
      name: 'Duration',
      type: 'string',
      description: 'Time required to complete the job.',
      cell: jobDuration,
    },
    AGE,
    ...workloadWide,
  ],
  Service: [
    NAME,
    {
      name: 'Type',
      type: 'string',
      description: 'The type of the service.',
      cell: (o) => str(obj(o.spec).type, 'ClusterIP'),
    },
    {
      name: 'Cluster-IP',
      type: 'string',
      description: 'The IP address of the service.',
      cell: (o) => str(obj(o.spec).clusterIP, '<none>'),
    },
    {
      name: 'External-IP',
      type: 'string',
      description: 'The external IP address of the service.',
      cell: () => '<none>',
    },
    { name: 'Port(s)', type: 'string', description: 'The port(s) of the service.', cell: servicePorts },
    AGE,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'The selector of the service.',
      cell: (o) => formatLabelSelector({ matchLabels: obj(obj(o.spec).selector) }),
    },
  ],
  Namespace: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the namespace.',
      cell: (o) => str(obj(o.status).phase, 'Active'),
    },
    AGE,
  ],
  Pod: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      cell: (o) =>
        `${obj(o.status).phase === 'Running' ? containers(o, 'pod').length : 0}/${containers(o, 'pod').length}`,
    },
    {
      name: 'Status',
      type: 'string',
      description: 'The aggregate status of the containers in this pod.',
      cell: (o) => str(obj(o.status).phase, 'Pending'),
    },
    {
      name: 'Restarts',
      type: 'string',
      description: 'The number of times the containers in this pod have been restarted.',
      cell: () => '0',
    },
    AGE,
  ],
  ConfigMap: [
    NAME,
    {
      name: 'Data',
      type: 'integer',
      description: 'Number of entries in data.',
      cell: (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length,
    },
    AGE,
  ],
  Secret: [
    NAME,
    {
      name: 'Type',
      type: 'string',
      description: 'The type of the secret.',
      cell: (o) => str(o.type, 'Opaque'),
    },
    {
      name: 'Data',
      type: 'integer',
      description: 'Number of entries in data.',
      cell: (o) => Object.keys(obj(o.data)).length,
    },
    AGE,
  ],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(o: JsonObject, include: IncludeObject): JsonObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** A `Table` of objects of one type, as `GET …?` with `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` returns. */
export function toTable(
  type: ResourceType,
  objects: readonly JsonObject[],
  options: {
    resourceVersion: string;
    include: IncludeObject;
    tableApiVersion: string;
    continueToken?: string;
    now?: number;
  },
): JsonObject {
  const columns = COLUMNS[type.kind] ?? [NAME, AGE];
  const now = options.now ?? Date.now();
  const metadata: JsonObject = { resourceVersion: options.resourceVersion };
  if (options.continueToken) metadata.continue = options.continueToken;
  return {
    kind: 'Table',
    apiVersion: options.tableApiVersion,
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => {
      const row: JsonObject = { cells: columns.map((c) => c.cell(o, now)) };
      const object = rowObject(o, options.include);
      if (object) row.object = object;
      return row;
    }),
  };
}
