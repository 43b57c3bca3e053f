import type { ResourceTreeDetails, ResourceTreeRow, ResourceTreeStatus } from '../../kube/resource-tree.js';
import { formatTime } from './format-time.js';
import { PLAIN, type Palette, type Style } from './palette.js';
import { formatTable } from './table.js';

/** `--detail-format`: how the DETAIL column of `status --tree --detail` is shown. */
export const DETAIL_FORMATS = ['inline', 'wide', 'list', 'table', 'raw'] as const;
export type DetailFormat = (typeof DETAIL_FORMATS)[number];

export interface TreeFormatOptions {
  /** Add APPLY_TIME and DETAIL (`--detail`). @default false */
  readonly detail?: boolean;
  /** @default inline */
  readonly detailFormat?: DetailFormat;
  readonly palette?: Palette;
}

/** Detail keys only the wide form shows (they make a line long). */
const WIDE_ONLY = new Set(['Containers', 'Images', 'Selector']);

const STATUS_STYLE: Record<ResourceTreeStatus, Style> = {
  updated: 'green',
  outdated: 'yellow',
  'not-deployed': 'red',
};

function detailEntries(details: ResourceTreeDetails, wide: boolean): [string, string][] {
  return Object.entries(details)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .filter(([k]) => wide || !WIDE_ONLY.has(k))
    .map(([k, v]) => [k, String(v)]);
}

/** `Ready: 3/3  Up-to-date: 3  Available: 3  Age: 17m`. */
export function formatDetailInline(details: ResourceTreeDetails, wide = false): string {
  return detailEntries(details, wide)
    .map(([k, v]) => `${k}: ${v}`)
    .join('  ');
}

/**
 * The CLUSTER and NAMESPACE cells of every row, joined by `───` when a cluster has one namespace
 * (or a namespace one resource) and by `─┬─`, `├─`, `└─` branches otherwise — KubeVela's tree.
 */
export function treePrefixes(rows: readonly ResourceTreeRow[]): { cluster: string; namespace: string }[] {
  const clusterWidth = Math.max('CLUSTER'.length, ...rows.map((r) => r.cluster.length));
  const nsName = (r: ResourceTreeRow) => r.namespace || '-';
  const nsWidth = Math.max('NAMESPACE'.length, ...rows.map((r) => nsName(r).length));
  const namespacesOf = new Map<string, string[]>();
  const resourcesOf = new Map<string, number>();
  for (const r of rows) {
    const list = namespacesOf.get(r.cluster) ?? [];
    if (!list.includes(r.namespace)) list.push(r.namespace);
    namespacesOf.set(r.cluster, list);
    const key = `${r.cluster}\u0000${r.namespace}`;
    resourcesOf.set(key, (resourcesOf.get(key) ?? 0) + 1);
  }
  const seenInNs = new Map<string, number>();
  let previousCluster: string | undefined;
  return rows.map((r) => {
    const namespaces = namespacesOf.get(r.cluster) ?? [r.namespace];
    const nsIndex = namespaces.indexOf(r.namespace);
    const lastNs = nsIndex === namespaces.length - 1;
    const key = `${r.cluster}\u0000${r.namespace}`;
    const resIndex = seenInNs.get(key) ?? 0;
    seenInNs.set(key, resIndex + 1);
    const resCount = resourcesOf.get(key) ?? 1;
    const firstInCluster = r.cluster !== previousCluster;
    previousCluster = r.cluster;

    let cluster: string;
    if (firstInCluster)
      cluster = r.cluster.padEnd(clusterWidth) + (namespaces.length === 1 ? ' ─── ' : ' ─┬─ ');
    else if (resIndex === 0) cluster = ' '.repeat(clusterWidth) + (lastNs ? '  └─ ' : '  ├─ ');
    else cluster = ' '.repeat(clusterWidth) + (lastNs ? '     ' : '  │  ');

    let namespace: string;
    if (resIndex === 0) namespace = nsName(r).padEnd(nsWidth) + (resCount === 1 ? ' ─── ' : ' ─┬─ ');
    else namespace = ' '.repeat(nsWidth) + (resIndex === resCount - 1 ? '  └─ ' : '  ├─ ');
    return { cluster, namespace };
  });
}

/**
 * `revela status NAME --tree [--detail] [--detail-format F]`.
 *
 * @example
 * CLUSTER   NAMESPACE RESOURCE           STATUS  APPLY_TIME          DETAIL
 * hangzhou1 ─── examples  ─── Deployment/podinfo updated 2022-04-13 19:32:03 Ready: 3/3  Up-to-date: 3  Available: 3  Age: 17m
 */
export function formatResourceTree(
  rows: readonly ResourceTreeRow[],
  options: TreeFormatOptions = {},
): string {
  const palette = options.palette ?? PLAIN;
  if (rows.length === 0)
    return 'no resources: the application has no current revision, or it renders nothing';
  const format = options.detailFormat ?? 'inline';
  const prefixes = treePrefixes(rows);
  const clusterWidth = prefixes[0]?.cluster.length ?? 0;
  const nsWidth = prefixes[0]?.namespace.length ?? 0;
  const resourceWidth = Math.max('RESOURCE'.length, ...rows.map((r) => r.resource.length));
  const statusWidth = Math.max('STATUS'.length, ...rows.map((r) => r.status.length));
  const timeWidth = Math.max('APPLY_TIME'.length, ...rows.map((r) => formatTime(r.applyTime).length));
  const inlineDetail =
    options.detail === true && (format === 'inline' || format === 'wide' || format === 'raw');
  const showTime = options.detail === true;

  const header = [
    'CLUSTER'.padEnd(clusterWidth),
    'NAMESPACE'.padEnd(nsWidth),
    'RESOURCE'.padEnd(resourceWidth + 1),
    showTime ? 'STATUS'.padEnd(statusWidth + 1) : 'STATUS',
    showTime ? (inlineDetail ? 'APPLY_TIME'.padEnd(timeWidth + 1) : 'APPLY_TIME') : '',
    inlineDetail ? 'DETAIL' : '',
  ]
    .join('')
    .trimEnd();
  const lines = [header];
  const indent = ' '.repeat(clusterWidth + nsWidth);
  rows.forEach((row, i) => {
    const prefix = prefixes[i] ?? { cluster: '', namespace: '' };
    const status = palette.paint(STATUS_STYLE[row.status], row.status);
    let line = `${prefix.cluster}${prefix.namespace}${row.resource.padEnd(resourceWidth)} `;
    if (!showTime) {
      line += status;
    } else {
      line += `${status}${' '.repeat(statusWidth - row.status.length)} ${formatTime(row.applyTime).padEnd(timeWidth)}`;
      if (inlineDetail) {
        const detail =
          format === 'raw'
            ? detailEntries(row.details, true)
                .map(([, v]) => v)
                .join(' ')
            : formatDetailInline(row.details, format === 'wide');
        line += ` ${detail}`;
      }
    }
    lines.push(line.trimEnd());
    if (options.detail === true && format === 'list') {
      for (const [k, v] of detailEntries(row.details, true)) lines.push(`${indent}  ${k}: ${v}`);
    }
  });
  if (options.detail === true && format === 'table') lines.push('', formatDetailTables(rows, palette));
  return lines.join('\n');
}

/** `--detail-format table`: one kubectl-like table per kind, below the tree. */
export function formatDetailTables(rows: readonly ResourceTreeRow[], palette: Palette = PLAIN): string {
  const byKind = new Map<string, ResourceTreeRow[]>();
  for (const row of rows) {
    const kind = row.resource.split('/')[0] ?? row.resource;
    byKind.set(kind, [...(byKind.get(kind) ?? []), row]);
  }
  const sections: string[] = [];
  for (const [kind, list] of byKind) {
    const keys: string[] = [];
    for (const r of list)
      for (const [k] of detailEntries(r.details, true)) if (!keys.includes(k)) keys.push(k);
    const headers = ['CLUSTER', 'NAMESPACE', 'NAME', ...keys.map((k) => k.toUpperCase())];
    const body = list.map((r) => [
      r.cluster,
      r.namespace || '-',
      r.resource.slice(kind.length + 1),
      ...keys.map((k) => {
        const v = r.details[k];
        return v === undefined || v === '' ? '-' : String(v);
      }),
    ]);
    sections.push(`${kind}:\n${formatTable(headers, body, { palette, gap: 2 })}`);
  }
  return sections.join('\n\n');
}
