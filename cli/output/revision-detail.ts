import { stringify } from 'yaml';
import type { RevisionDetail } from '../../workflows/messages.js';
import { formatSize, formatTime } from './format-time.js';
import { PLAIN, type Palette } from './palette.js';
import { statusStyle } from './revision-table.js';

function names(record: Readonly<Record<string, { spec?: { version?: string } }>>): string {
  const entries = Object.entries(record).map(([name, d]) =>
    d.spec?.version ? `${name}@${d.spec.version}` : name,
  );
  return entries.length > 0 ? entries.sort().join(', ') : '-';
}

/**
 * `revela revision get NAME-vK`: the revision's record, what its snapshot pins (definitions,
 * external policies and workflow) and the application it deploys. `-o yaml` prints everything.
 */
export function formatRevisionDetail(detail: RevisionDetail, palette: Palette = PLAIN): string {
  const { metadata: m, snapshot: s } = detail;
  const app = s.application;
  const rows: [string, string][] = [
    ['Name', m.name],
    ['Application', `${app.metadata.namespace ?? 'default'}/${app.metadata.name}`],
    ['Publish version', m.publishVersion ?? '-'],
    ['Hash', m.hash],
    ['Status', `${palette.paint(statusStyle(m.status), m.status)} (succeeded: ${m.succeeded})`],
    ['Begin time', formatTime(m.beginTime)],
    ['End time', formatTime(m.endTime)],
    ['Size', formatSize(m.size)],
  ];
  if (m.description) rows.push(['Description', m.description]);
  if (m.sourceRevision) rows.push(['Copied from', m.sourceRevision]);
  rows.push(['Workflow id', m.workflowId]);
  rows.push(['Components', names(s.componentDefinitions)]);
  rows.push(['Traits', names(s.traitDefinitions)]);
  rows.push(['Policy types', names(s.policyDefinitions)]);
  rows.push(['Step types', names(s.workflowStepDefinitions)]);
  rows.push(['External policies', Object.keys(s.externalPolicies).sort().join(', ') || '-']);
  rows.push(['External workflow', s.externalWorkflow?.metadata.name ?? '-']);
  if (s.referencedObjects.length > 0) {
    rows.push([
      'Referenced objects',
      s.referencedObjects.map((r) => `${r.cluster}/${r.object.kind}/${r.object.metadata.name}`).join(', '),
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const yaml = stringify(app, { lineWidth: 0 }).trimEnd();
  return [
    ...rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    '',
    'Application:',
    ...yaml.split('\n').map((l) => `  ${l}`),
  ].join('\n');
}
