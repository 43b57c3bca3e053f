/**
 * Benchmark of the publish engine on a real Temporal dev server and three real Kubernetes clusters
 * (kube-apiserver v1.34, controllers, scheduler, kwok nodes whose pods are Ready as soon as they
 * are scheduled), each figure against a baseline measured in the same run on the same servers:
 *
 * - publish latency: the update round trip and end to end to `Succeeded` of a two-cluster app,
 *   against a workflow running the same number of no-op activities in the same shape;
 * - kubeDeploy: publish → every Deployment Ready on hangzhou1 and hangzhou2, against
 *   `kubectl apply --server-side` + `kubectl rollout status` of the same objects;
 * - supersession latency: a publish while a revision waits, until the old run closed and the new
 *   one started (the publish answers only then);
 * - throughput: 500 applications × 2 clusters published concurrently on one worker, then on two
 *   (apps/s, worker CPU, peak RSS), against 500 baseline workflows;
 * - entity scale: 1,000 applications idle (worker RSS) and `revision list` latency of an app with
 *   its full retention, against a query of a trivial workflow.
 *
 * Workers run as separate processes (`dist/worker/main.js`), as in production.
 *
 *   npm run bench:engine
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { DEV_CLUSTERS } from '../../dev/local-clusters.js';
import { startBenchClusters } from '../lib/bench-clusters.js';
import { measureKubeDeploy } from './kube-deploy.js';
import { RevelaClient } from '../../client/revela-client.js';
import { startDevServer } from '../../dev/dev-server.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import { withPublishVersion, type Application } from '../../model/application.js';
import type { RevelaDocument } from '../../model/document.js';
import { loadDocuments } from '../../cli/load-documents.js';
import { printTable, repoRoot, writeResult } from '../lib/report.js';
import { formatMs, summarize, type Summary } from '../lib/stats.js';
import { echoQuery, echoUpdate, type baselineEntity, type baselinePublish } from './baseline-workflows.js';

const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 200);
const SUPERSEDE_RUNS = Number(process.env.BENCH_SUPERSEDE_RUNS ?? 50);
const THROUGHPUT_APPS = Number(process.env.BENCH_THROUGHPUT_APPS ?? 500);
const KUBE_DEPLOY_RUNS = Number(process.env.BENCH_KUBE_DEPLOY_RUNS ?? 30);
const IN_FLIGHT = 100;
const WARMUP = 10;

const log = (line: string) => process.stderr.write(`[bench:engine] ${line}\n`);

/** A worker process and what the kernel says it cost. */
class ProcessMeter {
  private startTicks = 0;
  private startedAt = 0;
  constructor(readonly child: ChildProcess) {}

  private ticks(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]);
  }

  private status(key: 'VmHWM' | 'VmRSS'): number {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${this.child.pid}/status`, 'utf8'),
    );
    return Number(m?.[1] ?? 0) * 1024;
  }

  begin(): void {
    this.startTicks = this.ticks();
    this.startedAt = performance.now();
  }

  /** CPU used since `begin` as a share of one core, and peak/current RSS in MiB. */
  end(): { cpuCores: number; peakRssMiB: number; rssMiB: number } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    // Clock ticks are 1/100 s on Linux.
    const cpuSeconds = (this.ticks() - this.startTicks) / 100;
    return {
      cpuCores: cpuSeconds / seconds,
      peakRssMiB: this.status('VmHWM') / 2 ** 20,
      rssMiB: this.status('VmRSS') / 2 ** 20,
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function spawnReady(args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<ProcessMeter> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not print "${marker}" within 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}:\n${output}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return new ProcessMeter(child);
}

/** Runs `fn` over 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

function withImage(
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

const EventType = proto.temporal.api.enums.v1.EventType;

/**
 * Where the time of a publish goes, from the revision's history timestamps (server clock, same
 * machine): the publish call until the revision workflow started, then each step of its run.
 */
async function timeline(
  client: Client,
  runs: readonly { workflowId: string; calledAt: number; roundTripMs: number }[],
): Promise<Record<string, number>> {
  const segments: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (segments[name] ??= []).push(ms);
  for (const run of runs) {
    const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number] | undefined) =>
      Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
    type Kind = proto.temporal.api.enums.v1.EventType;
    const first = (type: Kind) => events.find((e) => e.eventType === type);
    const last = (type: Kind, activity?: string) =>
      [...events].reverse().find((e) => {
        if (e.eventType !== type) return false;
        if (!activity) return true;
        const scheduledId = String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.eventId);
        const scheduled = events.find((x) => String(x.eventId) === scheduledId);
        return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === activity;
      });
    const started = at(first(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED));
    const applyScheduled = at(first(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
    const applied = at(last(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'applyResource'));
    const healthy = at(last(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'checkHealth'));
    const reported = at(last(EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED));
    const closed = at(last(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED));
    add('publish call → revision workflow started', started - run.calledAt);
    add('publish call → answered (after the revision started)', run.roundTripMs);
    add('started → first apply scheduled (plan, render)', applyScheduled - started);
    add('applies on both clusters', applied - applyScheduled);
    add('health checks on both clusters', healthy - applied);
    add('final report to the application (signal)', reported - healthy);
    add('report acknowledged → workflow closed', closed - reported);
  }
  return Object.fromEntries(Object.entries(segments).map(([k, v]) => [k, summarize(v).p50Ms]));
}

async function main(): Promise<void> {
  const root = repoRoot();
  const dist = join(root, 'dist');
  const stateDir = await mkdtemp(join(tmpdir(), 'revela-bench-'));
  const cli = await provisionTemporalCli({ log });
  const server = await startDevServer({ cli });
  const files = await startBenchClusters(DEV_CLUSTERS, { podReadyDelayMs: 0 });
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    REVELA_KUBECONFIG: files.kubeconfigPath,
    REVELA_CLUSTERS: files.clustersPath,
  };
  const workerMain = join(dist, 'worker', 'main.js');
  const baselineMain = join(dist, 'bench', 'engine', 'baseline-worker.js');
  const startRevelaWorker = () => spawnReady([workerMain], env, 'revela worker started');
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection, namespace: server.namespace });
  const meters: ProcessMeter[] = [];
  try {
    meters.push(await startRevelaWorker());
    meters.push(
      await spawnReady(
        [baselineMain, server.address, server.namespace, 'baseline'],
        {},
        'baseline worker started',
      ),
    );
    const revela = await RevelaClient.connect({
      address: server.address,
      temporalNamespace: server.namespace,
      env: { ...process.env, ...env },
    });

    const example = join(root, 'examples', 'podinfo');
    const docs: RevelaDocument[] = (
      await Promise.all(
        ['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(join(example, f))),
      )
    ).flat();
    const catalog = docs.filter((d) => d.kind !== 'Application');
    const app = docs.find((d): d is Application => d.kind === 'Application');
    if (!app) throw new Error('examples/podinfo/app.yaml has no Application');
    for (const ns of ['examples', 'supersede', 'tp1', 'tp2']) {
      await revela.apply(catalog.map((d) => ({ ...d, metadata: { ...d.metadata, namespace: ns } })));
    }

    // ------------------------------------------------------------------ publish latency
    log(
      `publish latency: ${LATENCY_RUNS} publishes of examples/podinfo, then ${LATENCY_RUNS} baseline workflows`,
    );
    const roundTrips: number[] = [];
    const endToEnd: number[] = [];
    const measuredRevisions: { workflowId: string; calledAt: number; roundTripMs: number }[] = [];
    for (let i = 0; i < LATENCY_RUNS + WARMUP; i++) {
      const t0 = performance.now();
      const r = await revela.publish({
        app: withPublishVersion(withImage(app, `stefanprodan/podinfo:6.${i}.0`), `v${i}`),
        publishVersion: `v${i}`,
      });
      const t1 = performance.now();
      await temporal.workflow.getHandle(r.workflowId).result();
      const t2 = performance.now();
      if (i >= WARMUP) {
        roundTrips.push(t1 - t0);
        endToEnd.push(t2 - t0);
        measuredRevisions.push({
          workflowId: r.workflowId,
          calledAt: performance.timeOrigin + t0,
          roundTripMs: t1 - t0,
        });
      }
    }
    const breakdown = await timeline(temporal, measuredRevisions.slice(-50));

    // ------------------------------------------------------------------ kubeDeploy
    log(`kubeDeploy: ${KUBE_DEPLOY_RUNS} publishes against kubectl apply --server-side + rollout status`);
    const kubeDeploy = await measureKubeDeploy({
      revela,
      temporal,
      clusters: files,
      app,
      runs: KUBE_DEPLOY_RUNS,
      withImage,
      log,
    });
    const baselineE2e: number[] = [];
    for (let i = 0; i < LATENCY_RUNS + WARMUP; i++) {
      const t0 = performance.now();
      await temporal.workflow.execute<typeof baselinePublish>('baselinePublish', {
        taskQueue: 'baseline',
        workflowId: `baseline-${i}`,
      });
      if (i >= WARMUP) baselineE2e.push(performance.now() - t0);
    }
    const entity = await temporal.workflow.start<typeof baselineEntity>('baselineEntity', {
      taskQueue: 'baseline',
      workflowId: 'baseline-entity',
    });
    const baselineRoundTrips: number[] = [];
    for (let i = 0; i < LATENCY_RUNS + WARMUP; i++) {
      const t0 = performance.now();
      await entity.executeUpdate(echoUpdate, { args: [`v${i}`] });
      if (i >= WARMUP) baselineRoundTrips.push(performance.now() - t0);
    }

    // ------------------------------------------------------------------ supersession
    log(`supersession: ${SUPERSEDE_RUNS} publishes, each while the previous revision waits for health`);
    const waiting = withImage(app, 'stefanprodan/podinfo:6.0.xxx', 'podinfo', 'supersede');
    const supersede: number[] = [];
    let previous = await revela.publish({ app: withPublishVersion(waiting, 's0'), publishVersion: 's0' });
    for (let i = 1; i <= SUPERSEDE_RUNS + 5; i++) {
      const handle = temporal.workflow.getHandle(previous.workflowId);
      // Supersede a revision that is really waiting: its health check is pending.
      for (;;) {
        const d = await handle.describe();
        if (d.raw.pendingActivities?.some((a) => a.activityType?.name === 'checkHealth')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const t0 = performance.now();
      const next = await revela.publish({
        app: withPublishVersion(waiting, `s${i}`),
        publishVersion: `s${i}`,
      });
      const elapsed = performance.now() - t0;
      const closed = await handle.describe();
      if (closed.status.name === 'RUNNING')
        throw new Error(`${previous.revision} still runs after it was superseded`);
      if (i > 5) supersede.push(elapsed);
      previous = next;
    }
    await revela.terminate({ name: 'podinfo', namespace: 'supersede' });

    // ------------------------------------------------------------------ throughput
    const throughput = async (namespace: string, workers: ProcessMeter[]) => {
      for (const w of workers) w.begin();
      const t0 = performance.now();
      await pool(THROUGHPUT_APPS, IN_FLIGHT, async (i) => {
        const r = await revela.publish({
          app: withPublishVersion(withImage(app, 'stefanprodan/podinfo:6.0.1', `app-${i}`, namespace), 'v1'),
          publishVersion: 'v1',
        });
        await temporal.workflow.getHandle(r.workflowId).result();
      });
      const seconds = (performance.now() - t0) / 1000;
      const usage = workers.map((w) => w.end());
      return {
        apps: THROUGHPUT_APPS,
        workers: workers.length,
        seconds,
        appsPerSecond: THROUGHPUT_APPS / seconds,
        workerCpuCores: usage.map((u) => u.cpuCores),
        workerPeakRssMiB: usage.map((u) => u.peakRssMiB),
      };
    };
    // Fresh worker processes, so peak RSS belongs to this phase alone.
    await meters[0]?.stop();
    meters[0] = await startRevelaWorker();
    log(`throughput: ${THROUGHPUT_APPS} apps × 2 clusters on one worker`);
    const one = await throughput('tp1', [meters[0]]);
    await meters[0].stop();
    meters[0] = await startRevelaWorker();
    meters.push(await startRevelaWorker());
    log(`throughput: ${THROUGHPUT_APPS} apps × 2 clusters on two workers`);
    const two = await throughput('tp2', [meters[0], meters[2]!]);
    log(`throughput baseline: ${THROUGHPUT_APPS} baseline workflows`);
    const b0 = performance.now();
    await pool(THROUGHPUT_APPS, IN_FLIGHT, async (i) => {
      await temporal.workflow.execute<typeof baselinePublish>('baselinePublish', {
        taskQueue: 'baseline',
        workflowId: `tp-baseline-${i}`,
      });
    });
    const baselinePerSecond = THROUGHPUT_APPS / ((performance.now() - b0) / 1000);

    // ------------------------------------------------------------------ entity scale
    log('entity scale: idle RSS with every application published, revision list latency');
    const idle = [meters[0], meters[2]!].map((w) => {
      w.begin();
      return w.end().rssMiB;
    });
    const listLatency: number[] = [];
    const queryBaseline: number[] = [];
    for (let i = 0; i < LATENCY_RUNS + WARMUP; i++) {
      const t0 = performance.now();
      const revisions = await revela.listRevisions({ name: 'podinfo', namespace: 'examples' });
      if (revisions.length !== 10)
        throw new Error(`expected a full retention of 10 revisions, got ${revisions.length}`);
      if (i >= WARMUP) listLatency.push(performance.now() - t0);
      const t1 = performance.now();
      await entity.query(echoQuery);
      if (i >= WARMUP) queryBaseline.push(performance.now() - t1);
    }
    await revela.close();

    const rows: [string, Summary, Summary][] = [
      ['publish: update round trip', summarize(roundTrips), summarize(baselineRoundTrips)],
      ['publish: end to end to Succeeded', summarize(endToEnd), summarize(baselineE2e)],
      ['supersede: publish while a revision waits', summarize(supersede), summarize(roundTrips)],
      ['revision list (10 retained)', summarize(listLatency), summarize(queryBaseline)],
    ];
    printTable(
      ['measure', 'runs', 'p50 ms', 'p99 ms', 'baseline p50', 'baseline p99', 'p50 ratio'],
      rows.map(([name, m, b]) => [
        name,
        String(m.runs),
        formatMs(m.p50Ms),
        formatMs(m.p99Ms),
        formatMs(b.p50Ms),
        formatMs(b.p99Ms),
        `${(m.p50Ms / b.p50Ms).toFixed(2)}×`,
      ]),
    );
    console.log('');
    console.log(
      `throughput, 1 worker:  ${one.appsPerSecond.toFixed(1)} apps/s (${one.seconds.toFixed(1)} s; CPU ${one.workerCpuCores.map((c) => c.toFixed(2)).join('+')} cores; peak RSS ${one.workerPeakRssMiB.map((r) => r.toFixed(0)).join('+')} MiB)`,
    );
    console.log(
      `throughput, 2 workers: ${two.appsPerSecond.toFixed(1)} apps/s (${two.seconds.toFixed(1)} s; CPU ${two.workerCpuCores.map((c) => c.toFixed(2)).join('+')} cores; peak RSS ${two.workerPeakRssMiB.map((r) => r.toFixed(0)).join('+')} MiB)`,
    );
    console.log(`throughput baseline:   ${baselinePerSecond.toFixed(1)} workflows/s`);
    console.log(
      `idle with ${2 * THROUGHPUT_APPS + 2} applications: worker RSS ${idle.map((r) => r.toFixed(0)).join(' + ')} MiB`,
    );
    console.log(
      `kubeDeploy (publish → Ready on 2 clusters): p50 ${formatMs(kubeDeploy.measured.p50Ms)} / p99 ${formatMs(kubeDeploy.measured.p99Ms)} ms; kubectl ${formatMs(kubeDeploy.baseline.p50Ms)} / ${formatMs(kubeDeploy.baseline.p99Ms)} ms; ratio p50 ${kubeDeploy.ratioP50.toFixed(2)}×`,
    );
    console.log('\nwhere a publish spends its time (p50 of the last 50, from history timestamps):');
    for (const [segment, ms] of Object.entries(breakdown))
      console.log(`  ${segment.padEnd(52)} ${formatMs(ms)} ms`);

    const [rt, e2e, sup, list] = rows.map(([name, m, b]) => ({
      name,
      measured: m,
      baseline: b,
      ratioP50: m.p50Ms / b.p50Ms,
    }));
    const out = writeResult('engine', {
      method:
        'Temporal dev server (in memory) and three real Kubernetes v1.34.4 clusters (pods Ready when scheduled); Revela workers and the baseline worker as separate processes; ' +
        `${WARMUP} warm-up runs; baselines: a workflow with the same no-op activities in the same shape (publish), an update running one no-op activity (round trip), a query returning a list (revision list)`,
      publish: { updateRoundTrip: rt, endToEnd: e2e },
      kubeDeploy,
      supersession: sup,
      revisionList: list,
      throughput: { oneWorker: one, twoWorkers: two, baselineWorkflowsPerSecond: baselinePerSecond },
      entityScale: { applications: 2 * THROUGHPUT_APPS + 2, workerRssMiB: idle },
      breakdown,
      goals: {
        endToEndOverheadMax: 1.3,
        endToEndOverhead: e2e?.ratioP50,
        updateRoundTripP99MaxMs: 200,
        updateRoundTripP99Ms: rt?.measured.p99Ms,
        supersessionP99MaxMs: 1000,
        supersessionP99Ms: sup?.measured.p99Ms,
        appsPerSecondMin: 5,
        appsPerSecondOneWorker: one.appsPerSecond,
      },
    });
    console.log(`\nwrote ${out}`);
  } finally {
    for (const m of meters) await m.stop();
    await connection.close();
    await files.dispose();
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
