import type { StepStatus } from '../model/step-status.js';
import type { RevisionRun } from './revision-run.js';

function escapeCell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `message · outputs: status=ok, port=80`: a step's outputs are visible in the UI's step table. */
function messageCell(s: StepStatus): string {
  const outputs = Object.entries(s.outputs ?? {}).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const parts = [
    ...(s.message ? [s.message] : []),
    ...(outputs.length > 0 ? [`outputs: ${outputs.join(', ')}`] : []),
  ];
  return escapeCell(parts.join(' · ').slice(0, 500));
}

/** The markdown step table shown in the Temporal UI for a revision. */
export function renderDetails(run: RevisionRun): string {
  const r = run.input.revision;
  const rows: string[] = [];
  const walk = (steps: StepStatus[], depth: number) => {
    for (const s of steps) {
      rows.push(
        `| ${'↳ '.repeat(depth)}${escapeCell(s.name)} | ${s.type} | ${s.phase} | ${messageCell(s)} |`,
      );
      if (s.subSteps) walk(s.subSteps, depth + 1);
    }
  };
  walk(run.steps, 0);
  const health = [...run.health.values()].map(
    (h) =>
      `| ${h.cluster} | ${h.namespace} | ${h.component} | ${h.healthy ? 'Healthy' : 'Unhealthy'} | ${escapeCell(h.message)} |`,
  );
  return [
    `## ${r.name} · ${run.status}`,
    '',
    `publishVersion \`${r.publishVersion ?? '-'}\` · hash \`${r.hash}\` · ${run.plan.steps.length} step(s), ${run.plan.mode.steps}` +
      (r.sourceRevision ? ` · re-published from ${r.sourceRevision}` : ''),
    ...(run.message ? ['', `**${escapeCell(run.message)}**`] : []),
    '',
    '| step | type | phase | message |',
    '|---|---|---|---|',
    ...rows,
    ...(health.length > 0
      ? ['', '| cluster | namespace | component | health | message |', '|---|---|---|---|---|', ...health]
      : []),
  ].join('\n');
}
