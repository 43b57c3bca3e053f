import type { Client } from '@temporalio/client';
import type { RevelaClient } from '../../client/revela-client.js';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { withPublishVersion, type Application } from '../../model/application.js';
import { summarize } from '../lib/stats.js';
import { baselineLanes, withLaneImage } from './baseline-lanes.js';
import { echoUpdate, type baselineEntity, type baselinePublish } from './baseline-workflows.js';
import { pool, type ProcessMeter } from './processes.js';
import { timeline } from './timeline.js';

export interface SectionContext {
  revela: RevelaClient;
  temporal: Client;
  registry: ClusterRegistry;
  app: Application;
  warmup: number;
  log: (line: string) => void;
}

export function withImage(
  app: Application,
  image: string,
  name = app.metadata.name,
  namespace = app.metadata.namespace,
): Application {
  const component = app.spec.components[0];
  if (!component) throw new Error('the bench application has no component');
  return {
    ...app,
    metadata: { ...app.metadata, name, namespace },
    spec: {
      ...app.spec,
      components: [{ ...component, properties: { ...(component.properties ?? {}), image } }],
    },
  };
}

/** One timed publish of examples/podinfo as `v${i}`, until its revision closed. */
async function publishOnce(ctx: SectionContext, i: number) {
  // Wall clock, to compare with the server's event times: performance.timeOrigin + now() does not
  // follow a wall clock that is stepped during the run (one breakdown put the start 20 s late).
  const calledAt = Date.now();
  const t0 = performance.now();
  const r = await ctx.revela.publish({
    app: withPublishVersion(withImage(ctx.app, `stefanprodan/podinfo:6.${i}.0`), `v${i}`),
    publishVersion: `v${i}`,
  });
  const t1 = performance.now();
  await ctx.temporal.workflow.getHandle(r.workflowId).result();
  const t2 = performance.now();
  return {
    revision: r.revision,
    workflowId: r.workflowId,
    calledAt,
    roundTripMs: t1 - t0,
    endToEndMs: t2 - t0,
  };
}

/**
 * Publish latency against its baselines, interleaved: each of `runs` rounds publishes
 * examples/podinfo (round trip and end to end), then runs one baseline workflow applying the same
 * objects and waiting for the same health, then one baseline update. Measured in turn, Revela and
 * its baselines meet the same clusters: run one after the other, the baselines met clusters some
 * dozens of rollouts older, and the ratio moved between 0.8 and 1.4 with that drift alone.
 */
export async function measurePublishLatency(ctx: SectionContext, runs: number) {
  const { revela, temporal, app, warmup, log } = ctx;
  log(
    `publish latency: ${runs} rounds of a publish of examples/podinfo, a baseline workflow, a baseline update`,
  );
  let last = '';
  for (let i = 0; i < warmup; i++) last = (await publishOnce(ctx, i)).revision;
  const ref = { name: app.metadata.name, namespace: app.metadata.namespace ?? 'default' };
  const lanes = await baselineLanes(revela, ctx.registry, ref, last);
  const entity = await temporal.workflow.start<typeof baselineEntity>('baselineEntity', {
    taskQueue: 'baseline',
    workflowId: 'baseline-entity',
  });
  const baseline = async (i: number) => {
    const t0 = performance.now();
    await temporal.workflow.execute<typeof baselinePublish>('baselinePublish', {
      taskQueue: 'baseline',
      workflowId: `baseline-${i}`,
      args: [{ lanes: withLaneImage(lanes, `stefanprodan/podinfo:6.${i}.0`), revision: `baseline-v${i}` }],
    });
    const t1 = performance.now();
    await entity.executeUpdate(echoUpdate, { args: [`v${i}`] });
    return { endToEndMs: t1 - t0, roundTripMs: performance.now() - t1 };
  };
  for (let i = 0; i < warmup; i++) await baseline(i);
  const roundTrips: number[] = [];
  const endToEnd: number[] = [];
  const baselineRoundTrips: number[] = [];
  const baselineE2e: number[] = [];
  const measured: { workflowId: string; calledAt: number; roundTripMs: number }[] = [];
  for (let i = warmup; i < runs + warmup; i++) {
    const r = await publishOnce(ctx, i);
    last = r.revision;
    roundTrips.push(r.roundTripMs);
    endToEnd.push(r.endToEndMs);
    measured.push(r);
    const b = await baseline(i);
    baselineE2e.push(b.endToEndMs);
    baselineRoundTrips.push(b.roundTripMs);
  }
  const breakdown = await timeline(temporal, measured.slice(-50));
  return { roundTrips, endToEnd, baselineRoundTrips, baselineE2e, entity, breakdown, lanes, revision: last };
}

/** Supersession: a publish while the previous revision waits for health, until it answered. */
export async function measureSupersession(ctx: SectionContext, runs: number): Promise<number[]> {
  const { revela, temporal, app, log } = ctx;
  log(`supersession: ${runs} publishes, each while the previous revision waits for health`);
  const waiting = withImage(app, 'stefanprodan/podinfo:6.0.xxx', 'podinfo', 'supersede');
  const supersede: number[] = [];
  let previous = await revela.publish({ app: withPublishVersion(waiting, 's0'), publishVersion: 's0' });
  for (let i = 1; i <= runs + 5; i++) {
    const handle = temporal.workflow.getHandle(previous.workflowId);
    // Supersede a revision that is really waiting: its health check is pending.
    for (;;) {
      const d = await handle.describe();
      if (d.raw.pendingActivities?.some((a) => a.activityType?.name === 'checkHealth')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const t0 = performance.now();
    const next = await revela.publish({ app: withPublishVersion(waiting, `s${i}`), publishVersion: `s${i}` });
    const elapsed = performance.now() - t0;
    const closed = await handle.describe();
    if (closed.status.name === 'RUNNING')
      throw new Error(`${previous.revision} still runs after it was superseded`);
    if (i > 5) supersede.push(elapsed);
    previous = next;
  }
  await revela.terminate({ name: 'podinfo', namespace: 'supersede' });
  return supersede;
}

/** `apps` applications × 2 clusters published concurrently, each until `Succeeded`. */
export async function measureThroughput(
  ctx: SectionContext,
  namespace: string,
  workers: ProcessMeter[],
  apps: number,
  inFlight: number,
) {
  const { revela, temporal, app } = ctx;
  for (const w of workers) w.begin();
  const t0 = performance.now();
  await pool(apps, inFlight, async (i) => {
    const r = await revela.publish({
      app: withPublishVersion(withImage(app, 'stefanprodan/podinfo:6.0.1', `app-${i}`, namespace), 'v1'),
      publishVersion: 'v1',
    });
    await temporal.workflow.getHandle(r.workflowId).result();
  });
  const seconds = (performance.now() - t0) / 1000;
  const usage = workers.map((w) => w.end());
  return {
    apps,
    workers: workers.length,
    seconds,
    appsPerSecond: apps / seconds,
    workerCpuCores: usage.map((u) => u.cpuCores),
    workerPeakRssMiB: usage.map((u) => u.peakRssMiB),
  };
}

/** The throughput baseline: `apps` baseline workflows doing the same real applies and health waits. */
export async function measureBaselineThroughput(
  ctx: SectionContext,
  apps: number,
  inFlight: number,
  lanes: Awaited<ReturnType<typeof measurePublishLatency>>['lanes'],
): Promise<number> {
  const b0 = performance.now();
  await pool(apps, inFlight, async (i) => {
    const own = withLaneImage(lanes, 'stefanprodan/podinfo:6.0.1').map((l) => ({
      ...l,
      objects: l.objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: `tp-${i}` } })),
      targets: l.targets.map((t) => ({ ...t, workload: { ...t.workload, name: `tp-${i}` } })),
    }));
    await ctx.temporal.workflow.execute<typeof baselinePublish>('baselinePublish', {
      taskQueue: 'baseline',
      workflowId: `tp-baseline-${i}`,
      args: [{ lanes: own, revision: `tp-baseline-${i}` }],
    });
  });
  return apps / ((performance.now() - b0) / 1000);
}

export { summarize };
