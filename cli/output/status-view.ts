import type { ApplicationStatusView } from '../../client/revela-client.js';
import type { StepStatus } from '../../workflows/messages.js';
import { formatAge } from '../../kube/format-age.js';
import { formatTime } from './format-time.js';
import { PLAIN, type Palette } from './palette.js';
import { statusStyle, stepPhaseStyle } from './revision-table.js';

function field(label: string, value: string, width: number): string {
  return `  ${`${label}:`.padEnd(width + 2)}${value}`;
}

function stepLines(steps: readonly StepStatus[], indent: string, palette: Palette): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(`${indent}- id: ${step.id}`);
    lines.push(`${indent}  name: ${step.name}`);
    lines.push(`${indent}  type: ${step.type}`);
    lines.push(`${indent}  phase: ${palette.paint(stepPhaseStyle(step.phase), step.phase)}`);
    if (step.reason) lines.push(`${indent}  reason: ${step.reason}`);
    if (step.message) lines.push(`${indent}  message: ${step.message}`);
    const outputs = Object.entries(step.outputs ?? {});
    if (outputs.length > 0) {
      lines.push(`${indent}  outputs:`);
      for (const [name, value] of outputs)
        lines.push(`${indent}    ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    if (step.subSteps && step.subSteps.length > 0) {
      lines.push(`${indent}  subSteps:`);
      lines.push(...stepLines(step.subSteps, `${indent}    `, palette));
    }
  }
  return lines;
}

/**
 * `revela status NAME`: KubeVela's About, Workflow and Services sections.
 *
 * @example
 * About:
 *
 *   Name:        podinfo
 *   Namespace:   examples
 *   Created at:  2022-04-13 19:32:03
 *   Status:      running
 *   Revision:    podinfo-v1 (alpha1, Succeeded)
 * …
 */
export function formatStatus(view: ApplicationStatusView, palette: Palette = PLAIN): string {
  const { app, run } = view;
  const current = app.currentRevision;
  const lines: string[] = ['About:', ''];
  const width = 'Created at'.length;
  lines.push(field('Name', app.name, width));
  lines.push(field('Namespace', app.namespace, width));
  lines.push(field('Created at', formatTime(app.createdAt), width));
  lines.push(field('Status', palette.paint(statusStyle(app.phase), app.phase), width));
  if (current) {
    const about = [current.publishVersion, current.status].filter((p) => p !== undefined).join(', ');
    lines.push(field('Revision', `${current.name} (${about})`, width));
  }

  lines.push('', 'Workflow:', '');
  if (!run) {
    lines.push(current ? `  the run of ${current.name} is not available` : '  no revision published yet');
  } else {
    const mode = `${run.mode.steps}-${run.mode.subSteps}`;
    lines.push(`  mode: ${mode}`);
    lines.push(`  finished: ${run.finished}`);
    lines.push(`  Suspend: ${run.suspended}`);
    lines.push(`  Terminated: ${run.terminated}`);
    if (run.message) lines.push(`  message: ${run.message}`);
    lines.push('  Steps');
    lines.push(...stepLines(run.steps, '  ', palette));
    if (view.waiting.length > 0) {
      lines.push('  Waiting:');
      for (const w of [...view.waiting].sort()) lines.push(`    ${w}`);
    }
  }

  lines.push('', `Services${healthSourceText(view)}:`, '');
  if (view.services.length === 0) {
    lines.push(current ? '  no component has reported its health yet' : '  none');
  }
  for (const s of view.services) {
    lines.push(`  - Name: ${s.component}`);
    lines.push(`    Cluster: ${s.cluster}  Namespace: ${s.namespace}`);
    lines.push(`    Type: ${s.type}`);
    const health = s.healthy ? palette.paint('green', 'Healthy') : palette.paint('red', 'Unhealthy');
    lines.push(`    ${health}${s.message ? ` ${s.message}` : ''}`);
    if (s.traits.length > 0) {
      lines.push('    Traits:');
      for (const t of s.traits) lines.push(`      - ${t}`);
    } else {
      lines.push('    No trait applied');
    }
  }
  lines.push(...stateKeepLines(view));
  return lines.join('\n');
}

/** ` (live, 12:01:02)`, ` (state keep check 40s ago)`, ` (as the run last saw it: …)`. */
function healthSourceText(view: ApplicationStatusView): string {
  const source = view.healthSource;
  if (!source) return '';
  switch (source.kind) {
    case 'live':
      return ` (live, ${formatTime(source.checkedAt)})`;
    case 'state-keep':
      return ` (state keep check ${formatAge(source.ageMs ?? 0)} ago${source.note ? `; ${source.note}` : ''})`;
    case 'run':
      return view.run?.finished ? ` (as the run last saw it${source.note ? `; ${source.note}` : ''})` : '';
  }
}

/** The application's last state-keep check and what it restored. */
function stateKeepLines(view: ApplicationStatusView): string[] {
  const last = view.stateKeep?.last;
  if (!last) return [];
  const lines = ['', 'State keep:', ''];
  lines.push(`  last check: ${formatTime(last.checkedAt)} (${last.revision || 'no revision'})`);
  if (view.stateKeep?.nextCheckAt) lines.push(`  next check: ${formatTime(view.stateKeep.nextCheckAt)}`);
  if (last.skipped) lines.push(`  skipped: ${last.skipped}`);
  if (last.error) lines.push(`  failed: ${last.error}`);
  for (const r of last.repairs) {
    const what = `${r.object} on ${r.cluster} (${r.drift}${r.paths.length ? `: ${r.paths.join(', ')}` : ''})`;
    lines.push(`  ${r.restored ? 'restored' : 'not restored'} ${what}${r.error ? `: ${r.error}` : ''}`);
  }
  for (const c of last.conflicts) lines.push(`  conflict: ${c}`);
  if (last.repairs.length === 0 && last.conflicts.length === 0 && !last.skipped && !last.error)
    lines.push('  no drift');
  return lines;
}
