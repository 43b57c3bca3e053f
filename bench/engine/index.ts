/**
 * Benchmark of the publish engine on a real Temporal dev server and three real Kubernetes clusters
 * (kube-apiserver v1.34, controllers, scheduler, kwok nodes whose pods are Ready as soon as they
 * are scheduled), each figure against a baseline measured in the same run on the same servers:
 *
 * - publish latency: the update round trip and end to end to `Succeeded` of a two-cluster app,
 *   against one workflow running the same activities in the same shape (the same real applies
 *   and health waits, no entity, child, reports or visibility), and a bare update, measured in
 *   turn with the publishes (a publish, a baseline workflow, a baseline update, and again);
 * - kubeDeploy: publish → every Deployment Ready on hangzhou1 and hangzhou2, against
 *   `kubectl apply --server-side` + `kubectl rollout status` of the same objects;
 * - supersession latency: a publish while a revision waits, until the old run closed and the new
 *   one started (the publish answers only then);
 * - throughput: 500 applications × 2 clusters published concurrently on one worker, then on two
 *   (apps/s, worker CPU, peak RSS), against 500 baseline workflows;
 * - revision list latency of an app with its full retention, against a query of a trivial workflow;
 * - entityScale: 10,000 applications idle on one worker (RSS), then publishes to evicted ones
 *   against warm ones (`entity-scale.ts`).
 *
 * Workers run as separate processes (`dist/worker/main.js`), as in production.
 *
 *   npm run bench:engine
 *   BENCH_ONLY=entityScale npm run bench:engine   # only the entity-scale section (merged into the JSON)
 *   BENCH_ENTITY_SETTLE_MS=1500 …                  # a pause before each cold and warm publish
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEV_CLUSTERS } from '../../dev/local-clusters.js';
import { startBenchClusters } from '../lib/bench-clusters.js';
import { measureKubeDeploy } from './kube-deploy.js';
import { NoWorkerError } from '../../client/errors.js';
import { RevelaClient } from '../../client/revela-client.js';
import { startDevServer } from '../../dev/dev-server.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import type { Application } from '../../model/application.js';
import type { RevelaDocument } from '../../model/document.js';
import { loadDocuments } from '../../cli/load-documents.js';
import { repoRoot, writeResult } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { echoQuery } from './baseline-workflows.js';
import { measureEntityScale } from './entity-scale.js';
import { printEngine } from './print-engine.js';
import { spawnReady, type ProcessMeter } from './processes.js';
import {
  measureBaselineThroughput,
  measurePublishLatency,
  measureSupersession,
  measureThroughput,
  withImage,
  type SectionContext,
} from './publish-sections.js';
import { profileHooks } from './profile.js';

const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 200);
const SUPERSEDE_RUNS = Number(process.env.BENCH_SUPERSEDE_RUNS ?? 50);
const THROUGHPUT_APPS = Number(process.env.BENCH_THROUGHPUT_APPS ?? 500);
const KUBE_DEPLOY_RUNS = Number(process.env.BENCH_KUBE_DEPLOY_RUNS ?? 30);
const ENTITY_APPS = Number(process.env.BENCH_ENTITY_APPS ?? 10_000);
const ENTITY_PUBLISHED = Number(process.env.BENCH_ENTITY_PUBLISHED ?? 1000);
const ENTITY_COLD_RUNS = Number(process.env.BENCH_ENTITY_COLD_RUNS ?? 100);
const ENTITY_IN_FLIGHT = Number(process.env.BENCH_ENTITY_IN_FLIGHT ?? 32);
const ENTITY_IDLE_MS = Number(process.env.BENCH_ENTITY_IDLE_MS ?? 30_000);
// A pause before each cold and warm publish (diagnosis: what an eviction costs on a quiet worker).
const ENTITY_SETTLE_MS = Number(process.env.BENCH_ENTITY_SETTLE_MS ?? 0);
/** The memory the entity-scale worker is given (its workflow cache is sized from it). */
const ENTITY_WORKER_MEMORY = process.env.BENCH_ENTITY_WORKER_MEMORY ?? '1Gi';
const ONLY = process.env.BENCH_ONLY;
const IN_FLIGHT = 100;
const WARMUP = 10;

const log = (line: string) => process.stderr.write(`[bench:engine] ${line}\n`);

/**
 * The client, once the worker's pollers are visible: a worker logs that it started a moment
 * before its first poll reaches the server, and the client refuses to connect to a task queue
 * nobody polls (seen once on a quiet machine). Bounded: fails with the client's error after 15 s.
 */
async function connectOncePolled(options: Parameters<typeof RevelaClient.connect>[0]): Promise<RevelaClient> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await RevelaClient.connect(options);
    } catch (err) {
      if (!(err instanceof NoWorkerError) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main(): Promise<void> {
  if (ONLY !== undefined && ONLY !== 'entityScale') throw new Error(`BENCH_ONLY=${ONLY}: only entityScale`);
  const root = repoRoot();
  const dist = join(root, 'dist');
  const cli = await provisionTemporalCli({ log });
  const server = await startDevServer({ cli });
  const files = await startBenchClusters(
    ONLY ? DEV_CLUSTERS.filter((c) => c.name === 'local') : DEV_CLUSTERS,
    {
      podReadyDelayMs: 0,
    },
  );
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    REVELA_KUBECONFIG: files.kubeconfigPath,
    REVELA_CLUSTERS: files.clustersPath,
  };
  const workerMain = join(dist, 'worker', 'main.js');
  const baselineMain = join(dist, 'bench', 'engine', 'baseline-worker.js');
  const profile = profileHooks(log);
  const startRevelaWorker = (extra: NodeJS.ProcessEnv = {}, nodeOptions: string[] = []) =>
    spawnReady([workerMain], { ...env, ...extra }, 'revela worker started', nodeOptions);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection, namespace: server.namespace });
  const meters: ProcessMeter[] = [];
  const startScaleWorker = async () => {
    const worker = await startRevelaWorker(
      { REVELA_WORKER_MEMORY: ENTITY_WORKER_MEMORY, ...profile.workerEnv },
      profile.nodeOptions,
    );
    meters.push(worker);
    return worker;
  };
  try {
    // The client checks a worker polls: the entity-scale run has only its own.
    const onlyWorker = ONLY === 'entityScale' ? await startScaleWorker() : undefined;
    if (!onlyWorker) meters.push(await startRevelaWorker());
    const revela = await connectOncePolled({
      address: server.address,
      temporalNamespace: server.namespace,
      env: { ...process.env, ...env },
    });
    const registry = await ClusterRegistry.load({
      kubeconfigPath: files.kubeconfigPath,
      clustersPath: files.clustersPath,
    });
    const scale = async (): Promise<Awaited<ReturnType<typeof measureEntityScale>>> => {
      const worker = onlyWorker ?? (await startScaleWorker());
      log(
        `entity scale: ${ENTITY_APPS} applications on one worker (REVELA_WORKER_MEMORY=${ENTITY_WORKER_MEMORY})`,
      );
      const result = await measureEntityScale({
        revela,
        temporal,
        worker,
        applications: ENTITY_APPS,
        published: ENTITY_PUBLISHED,
        coldRuns: ENTITY_COLD_RUNS,
        inFlight: ENTITY_IN_FLIGHT,
        idleMs: ENTITY_IDLE_MS,
        settleMs: ENTITY_SETTLE_MS,
        namespace: 'scale',
        workerMemory: ENTITY_WORKER_MEMORY,
        log,
        ...profile.onCreated(worker),
      });
      await worker.stop();
      await profile.collect();
      return result;
    };

    if (ONLY === 'entityScale') {
      const entityScale = await scale();
      await revela.close();
      const path = join(root, 'bench', 'results', 'engine.json');
      const previous = existsSync(path)
        ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)
        : {};
      const { benchmark: _b, date, node: _n, platform: _p, cpu: _c, cores: _k, ...rest } = previous;
      printEngine({ entityScale });
      const out = writeResult('engine', {
        ...rest,
        date: date ?? new Date().toISOString(),
        entityScale: { ...entityScale, date: new Date().toISOString(), run: 'BENCH_ONLY=entityScale' },
      });
      log(`wrote entityScale into ${out}`);
      return;
    }

    meters.push(
      await spawnReady(
        [baselineMain, server.address, server.namespace, 'baseline'],
        env,
        'baseline worker started',
      ),
    );
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
    const ctx: SectionContext = { revela, temporal, registry, app, warmup: WARMUP, log };

    const latency = await measurePublishLatency(ctx, LATENCY_RUNS);
    const { baselineE2e, baselineRoundTrips, entity } = latency;
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
    const supersede = await measureSupersession(ctx, SUPERSEDE_RUNS);

    // Fresh worker processes, so peak RSS belongs to this phase alone.
    await meters[0]?.stop();
    meters[0] = await startRevelaWorker();
    log(`throughput: ${THROUGHPUT_APPS} apps × 2 clusters on one worker`);
    const one = await measureThroughput(ctx, 'tp1', [meters[0]], THROUGHPUT_APPS, IN_FLIGHT);
    await meters[0].stop();
    meters[0] = await startRevelaWorker();
    meters.push(await startRevelaWorker());
    log(`throughput: ${THROUGHPUT_APPS} apps × 2 clusters on two workers`);
    const two = await measureThroughput(ctx, 'tp2', [meters[0], meters[2]!], THROUGHPUT_APPS, IN_FLIGHT);
    log(`throughput baseline: ${THROUGHPUT_APPS} baseline workflows (same applies and health waits)`);
    const baselinePerSecond = await measureBaselineThroughput(ctx, THROUGHPUT_APPS, IN_FLIGHT, latency.lanes);
    const idle = [meters[0], meters[2]!].map((w) => w.rssMiB());

    log('revision list latency');
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
    for (const m of meters.splice(0)) await m.stop();

    const entityScale = ENTITY_APPS > 0 ? await scale() : undefined;
    await revela.close();

    const measure = (name: string, m: number[], b: number[]) => {
      const measured = summarize(m);
      const baseline = summarize(b);
      return { name, measured, baseline, ratioP50: measured.p50Ms / baseline.p50Ms };
    };
    const rt = measure('publish: update round trip', latency.roundTrips, baselineRoundTrips);
    const e2e = measure('publish: end to end to Succeeded', latency.endToEnd, baselineE2e);
    const sup = measure('supersede: publish while a revision waits', supersede, latency.roundTrips);
    const list = measure('revision list (10 retained)', listLatency, queryBaseline);
    const result = {
      method:
        'Temporal dev server (in memory) and three real Kubernetes v1.34.4 clusters (pods Ready when scheduled); Revela workers and the baseline worker as separate processes; ' +
        `${WARMUP} warm-up runs; baselines: one workflow running the same activities in the same shape, with the same real server-side applies and health waits on both clusters (publish, throughput), an update running one no-op activity (round trip), a query returning a list (revision list); publish latency and its baselines measured in turn (publish, baseline workflow, baseline update, and again)`,
      publish: { updateRoundTrip: rt, endToEnd: e2e },
      kubeDeploy,
      supersession: sup,
      revisionList: list,
      throughput: {
        oneWorker: one,
        twoWorkers: two,
        baselineWorkflowsPerSecond: baselinePerSecond,
        idleApplications: 2 * THROUGHPUT_APPS,
        idleWorkerRssMiB: idle,
      },
      ...(entityScale ? { entityScale } : {}),
      breakdown: latency.breakdown,
      goals: {
        endToEndOverheadMax: 1.2,
        endToEndOverhead: e2e.ratioP50,
        updateRoundTripRatioMax: 2.0,
        updateRoundTripRatio: rt.ratioP50,
        updateRoundTripP99Ms: rt.measured.p99Ms,
        supersessionP99MaxMs: 1000,
        supersessionP99Ms: sup.measured.p99Ms,
        appsPerSecondOneWorker: one.appsPerSecond,
        throughputShareMin: 0.5,
        throughputShare: one.appsPerSecond / baselinePerSecond,
        kubeDeployRatioMax: 1.3,
        kubeDeployRatio: kubeDeploy.ratioP50,
        ...(entityScale
          ? {
              entityScaleRssMaxMiB: 1024,
              entityScaleRssMiB: entityScale.workerRssMiB,
              coldPublishRatioMax: 1.5,
              coldPublishRatio: entityScale.coldPublish.ratioP50,
            }
          : {}),
      },
    };
    printEngine(result);
    console.log(`\nwrote ${writeResult('engine', result)}`);
  } catch (err) {
    // Printed before the connections close: their pending retries would otherwise end the process
    // with "Channel has been shut down" and hide the cause.
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    // The SDK's ServiceError says only what failed; the gRPC status of its cause says why.
    for (let cause = (err as Error).cause; cause instanceof Error; cause = cause.cause) {
      const { code, details } = cause as Error & { code?: unknown; details?: unknown };
      log(
        `  caused by: ${cause.message} (code ${String(code)}${typeof details === 'string' && details !== '' ? `, ${details}` : ''})`,
      );
    }
    throw err;
  } finally {
    for (const m of meters) await m.stop();
    await connection.close();
    await files.dispose();
    await server.stop();
  }
}

await main();
