import type { HealthTarget } from '../model/step-render.js';
import { inventoryKey } from '../model/inventory.js';
import type { StepStatus } from '../model/step-status.js';
import { stepRenderRequest } from '../model/step-request.js';
import type { PlannedStep } from '../model/workflow-plan.js';
import { firstFailureAll, settleAll } from './lanes.js';
import { applyForRun } from './revision-apply.js';
import type { RevisionRun } from './revision-run.js';
import { garbageScope } from '../model/ownership-scope.js';
import { recordDeployOutputs, snapshotForStep } from './revision-builtin-steps.js';

/*
 * What a revision run writes to clusters: the objects of a deploy step, the health wait, and
 * garbage collection after success. Every write carries the run's fence (docs/fencing.md).
 */

/** A restarted run keeps the steps before its restart step: they count as applied, so garbage collection keeps their objects. */
export async function keepStepsBeforeRestart(run: RevisionRun): Promise<void> {
  const from = run.input.restartFromStep;
  if (!from) return;
  for (const step of run.plan.steps) {
    if (step.name === from) return;
    const entry = run.byName.get(step.name);
    if (!entry) continue;
    entry.status.phase = 'succeeded';
    entry.status.message = 'kept from the previous run';
    // Their objects stay deployed; render them so garbage collection keeps them too.
    for (const s of [step, ...(step.subSteps ?? [])]) {
      if (s.type !== 'deploy' && s.type !== 'apply-component') continue;
      const rendered = await run.compute.renderStep(stepRenderRequest(run.input.snapshot, run.revision, s));
      for (const r of rendered.resources) run.recordApplied(r.cluster, r.object);
    }
  }
}

/** render (activity) → apply per object, clusters in parallel up to `parallelism` → wait healthy. */
export async function deploy(run: RevisionRun, step: PlannedStep, status: StepStatus): Promise<void> {
  status.message = 'rendering';
  run.publishVisibility();
  // Component inputs are written into a copy of the snapshot (the same object when none has any).
  const snapshot = snapshotForStep(run, step.name);
  const rendered = await run.compute.renderStep(stepRenderRequest(snapshot, run.revision, step));
  const parallelism =
    typeof step.properties.parallelism === 'number' ? Math.max(1, step.properties.parallelism) : 5;

  const byCluster = new Map<string, typeof rendered.resources>();
  for (const r of rendered.resources) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
  const clusters = [...new Set([...byCluster.keys(), ...Object.keys(rendered.health)])];

  status.message = 'applying';
  run.publishVisibility();
  const lanes = run.settle ? settleAll : firstFailureAll;
  await lanes(clusters, parallelism, async (cluster) => {
    for (const { object, ownership } of byCluster.get(cluster) ?? []) {
      await applyForRun(run, cluster, object, ownership);
    }
    // Recorded, not awaited: the health checks need not wait for the entity to hear of the applies.
    run.reports.progress();
  });

  status.message = 'wait healthy';
  run.publishVisibility();
  await lanes(clusters, parallelism, async (cluster) => {
    const targets: HealthTarget[] = rendered.health[cluster] ?? [];
    if (targets.length === 0) return;
    const result = await run.healthChecks.checkHealth.executeWithOptions(
      {
        summary: `wait healthy ${targets.map((t) => `${t.namespace}/${t.component}`).join(', ')} → ${cluster}`,
      },
      [{ cluster, revision: run.revision, targets }],
    );
    for (const h of result) run.health.set(`${h.cluster}/${h.namespace}/${h.component}`, h);
    run.publishVisibility();
  });

  // Only steps or components that declare outputs take this branch (never an older history).
  const declares =
    (step.outputs ?? []).length > 0 ||
    snapshot.application.spec.components.some((c) => (c.outputs ?? []).length > 0);
  if (declares) {
    const workloads = clusters.flatMap((cluster) =>
      (rendered.health[cluster] ?? []).flatMap((t) => {
        const r = rendered.resources.find(
          (x) =>
            x.cluster === cluster &&
            x.object.kind === t.workload.kind &&
            x.object.metadata.name === t.workload.name,
        );
        return r ? [{ cluster, component: t.component, object: r.object }] : [];
      }),
    );
    await recordDeployOutputs(run, step, status, workloads);
  }
}

/** After success: delete what earlier revisions applied and this one no longer renders. */
export async function collectGarbage(run: RevisionRun): Promise<void> {
  const keepLegacy = (run.input.snapshot.application.spec.policies ?? []).some(
    (p) =>
      p.type === 'garbage-collect' &&
      (p.properties as { keepLegacyResource?: boolean } | undefined)?.keepLegacyResource === true,
  );
  const stale = run.input.inventory.filter((e) => !run.applied.has(inventoryKey(e)));
  if (keepLegacy || stale.length === 0) return;
  const deleted = await run.cluster.collectGarbage.executeWithOptions(
    { summary: `collect ${stale.length} object(s) ${run.revision} no longer renders` },
    [
      {
        entries: stale,
        ...(run.input.fence !== undefined ? { fence: run.input.fence } : {}),
        scope: garbageScope(run.input.snapshot.application),
      },
    ],
  );
  run.deleted.push(...deleted);
  run.reports.recordDeleted(deleted);
}
