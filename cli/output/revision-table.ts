import type { RevisionMetadata } from '../../model/revision.js';
import type { Palette, Style } from './palette.js';
import { formatSize, formatTime } from './format-time.js';
import { formatTable } from './table.js';

/** The colour of a revision status, step phase or application phase on a terminal. */
export function statusStyle(status: string): Style | undefined {
  switch (status) {
    case 'Succeeded':
    case 'succeeded':
    case 'running':
      return 'green';
    case 'Failed':
    case 'failed':
    case 'workflowFailed':
    case 'unhealthy':
      return 'red';
    case 'Executing':
    case 'Pending':
    case 'Suspended':
    case 'suspending':
    case 'runningWorkflow':
    case 'workflowSuspending':
    case 'starting':
    case 'rendering':
      return 'yellow';
    case 'Terminated':
    case 'RolledBack':
    case 'workflowTerminated':
    case 'skipped':
      return 'gray';
    default:
      return undefined;
  }
}

/** The colour of a step phase: unlike the application phase `running`, a running step is still in progress. */
export function stepPhaseStyle(phase: string): Style | undefined {
  return phase === 'running' ? 'yellow' : statusStyle(phase);
}

export const REVISION_LIST_HEADERS = [
  'NAME',
  'PUBLISH_VERSION',
  'SUCCEEDED',
  'HASH',
  'BEGIN_TIME',
  'STATUS',
  'SIZE',
] as const;

/**
 * `revela revision list`: KubeVela's columns, oldest first.
 *
 * @example
 * NAME       PUBLISH_VERSION SUCCEEDED HASH             BEGIN_TIME          STATUS    SIZE
 * podinfo-v1 alpha1          true      65844934c2d07288 2022-04-13 20:45:19 Succeeded 23.7 KiB
 */
export function formatRevisionList(revisions: readonly RevisionMetadata[], palette?: Palette): string {
  const rows = revisions.map((r) => [
    r.name,
    r.publishVersion ?? '-',
    String(r.succeeded),
    r.hash,
    formatTime(r.beginTime),
    { text: r.status, style: statusStyle(r.status) },
    formatSize(r.size),
  ]);
  return formatTable(REVISION_LIST_HEADERS, rows, palette ? { palette } : {});
}
