/**
 * Benchmark of Kubernetes access against a real kube-apiserver (v1.34, etcd, a kwok node; its own
 * processes, started for the run): server-side apply, read, the apply+read round trip a deploy
 * step makes per object, and applies per second (sequential and concurrent). The baseline,
 * measured in the same run against the same apiserver, is a bare `node:https` GET of `/version`
 * on a new TLS connection with the same token — the transport cost every request pays, since
 * `@kubernetes/client-node` opens a new connection per request. Later engine benchmarks can
 * subtract the apply+read figures to find their own share. Writes `bench/results/kube.json`.
 *
 *   npm run bench:kube
 */
import { get } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import type { KubeObject } from '../../model/kube-object.js';
import { ANNOTATION_APPLIED_AT } from '../../model/labels.js';
import { startBenchClusters } from '../lib/bench-clusters.js';
import { printTable, writeResult } from '../lib/report.js';
import { formatMs, measure } from '../lib/stats.js';

/** At least this many timed runs per operation (p99 needs about 100)… */
const MIN_RUNS = 200;
/** …and more while the operation has used less than this much time. */
const TIME_BUDGET_MS = 3_000;
const MAX_RUNS = 5_000;
const WARMUP_RUNS = 30;
/** Distinct objects the applies rotate through, like a revision of a few components. */
const OBJECTS = 10;
const CONCURRENCY = 8;
const THROUGHPUT_MS = 3_000;

interface Row {
  operation: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** p50 of the operation divided by the p50 of the baseline. */
  vsBaseline: number;
}

async function measureOperation(
  operation: string,
  fn: (i: number) => Promise<unknown>,
): Promise<Omit<Row, 'vsBaseline'>> {
  const summary = await measure(fn, {
    warmup: WARMUP_RUNS,
    minRuns: MIN_RUNS,
    timeBudgetMs: TIME_BUDGET_MS,
    maxRuns: MAX_RUNS,
  });
  return { operation, ...summary };
}

/** One GET on a fresh TLS connection, reading the whole body. */
function bareGet(url: string, ca: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', reject);
    }).on('error', reject);
  });
}

function object(i: number): KubeObject {
  const name = `bench-${i % OBJECTS}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'bench',
      labels: { 'app.oam.dev/name': 'bench', 'app.oam.dev/component': name },
      // A new value each time makes every apply a real write, as each Revela apply is.
      annotations: { [ANNOTATION_APPLIED_AT]: `${new Date().toISOString()}#${i}` },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { 'app.oam.dev/component': name } },
      template: {
        metadata: { labels: { 'app.oam.dev/component': name } },
        spec: {
          containers: [{ name, image: 'stefanprodan/podinfo:6.5.0', ports: [{ containerPort: 9898 }] }],
        },
      },
    },
  };
}

async function throughput(
  client: ClusterClient,
  concurrency: number,
): Promise<{ applies: number; seconds: number; perSecond: number }> {
  let applies = 0;
  const deadline = performance.now() + THROUGHPUT_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        await client.apply(object(worker * 1_000 + applies));
        applies++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { applies, seconds, perSecond: applies / seconds };
}

async function main(): Promise<void> {
  const clusters = await startBenchClusters([{ name: 'bench' }]);
  const bench = clusters.clusters[0];
  if (!bench) throw new Error('no bench cluster');
  try {
    const registry = await ClusterRegistry.load({
      kubeconfigPath: clusters.kubeconfigPath,
      clustersPath: clusters.clustersPath,
    });
    const client = registry.client('bench');
    await client.ensureNamespace('bench');

    const baseline = await measureOperation('baseline: bare node:http GET /version, new connection', () =>
      bareGet(`${bench.server}/version`, bench.caPem, bench.token),
    );
    const measured = [
      await measureOperation('apply: server-side apply of a Deployment', (i) => client.apply(object(i))),
      await measureOperation('read: GET of the Deployment', (i) =>
        client.read({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: `bench-${i % OBJECTS}`,
          namespace: 'bench',
        }),
      ),
      await measureOperation('apply+read round trip', async (i) => {
        await client.apply(object(i));
        await client.read({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: `bench-${i % OBJECTS}`,
          namespace: 'bench',
        });
      }),
    ];
    const rows: Row[] = [baseline, ...measured].map((r) => ({ ...r, vsBaseline: r.p50Ms / baseline.p50Ms }));
    const sequential = await throughput(client, 1);
    const concurrent = await throughput(client, CONCURRENCY);

    const header = ['operation', 'runs', 'p50 ms', 'p99 ms', 'p50 × baseline'];
    const table = rows.map((r) => [
      r.operation,
      String(r.runs),
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
      `${r.vsBaseline.toFixed(1)}×`,
    ]);
    printTable(header, table);
    console.log('');
    console.log(
      `applies/s, one at a time:      ${sequential.perSecond.toFixed(0)} (${sequential.applies} in ${sequential.seconds.toFixed(1)} s)`,
    );
    console.log(
      `applies/s, ${CONCURRENCY} in flight:         ${concurrent.perSecond.toFixed(0)} (${concurrent.applies} in ${concurrent.seconds.toFixed(1)} s)`,
    );

    const out = writeResult('kube', {
      method: `a real kube-apiserver v1.34.4 (etcd, kube-controller-manager, kube-scheduler, one kwok node; own processes on 127.0.0.1, TLS, token auth), @kubernetes/client-node through kube/ClusterClient; ${WARMUP_RUNS} warm-up runs, then ${MIN_RUNS}+ timed runs per operation (until ${TIME_BUDGET_MS} ms); ${OBJECTS} Deployments in rotation, each apply a real write; baseline = bare node:https GET /version on a new TLS connection to the same apiserver with the same token; throughput over ${THROUGHPUT_MS} ms`,
      results: rows,
      throughput: {
        sequentialAppliesPerSecond: sequential.perSecond,
        concurrentAppliesPerSecond: concurrent.perSecond,
        concurrency: CONCURRENCY,
      },
    });
    console.log(`\nwrote ${out}`);
  } finally {
    await clusters.dispose();
  }
}

await main();
