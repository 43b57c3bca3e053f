/**
 * Writes `docs/benchmarks.md` from `bench/results/*.json`: every figure, its baseline measured
 * in the same run, and the goals it is held to. Run last by `npm run bench`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/report.js';
import { formatMs, type Summary } from './lib/stats.js';

interface Machine {
  date: string;
  node: string;
  cpu: string;
  cores?: number;
  method: string;
}

interface EngineMeasure {
  name: string;
  measured: Summary;
  baseline: Summary;
  ratioP50: number;
}

interface EngineResult extends Machine {
  publish: { updateRoundTrip: EngineMeasure; endToEnd: EngineMeasure };
  supersession: EngineMeasure;
  revisionList: EngineMeasure;
  /** Publish → every Deployment Ready on two real clusters, against kubectl (absent before 0.2.0). */
  kubeDeploy?: {
    runs: number;
    measured: { p50Ms: number; p99Ms: number };
    baseline: { p50Ms: number; p99Ms: number };
    ratioP50: number;
  };
  throughput: {
    oneWorker: {
      apps: number;
      seconds: number;
      appsPerSecond: number;
      workerCpuCores: number[];
      workerPeakRssMiB: number[];
    };
    twoWorkers: {
      apps: number;
      seconds: number;
      appsPerSecond: number;
      workerCpuCores: number[];
      workerPeakRssMiB: number[];
    };
    baselineWorkflowsPerSecond: number;
  };
  entityScale: { applications: number; workerRssMiB: number[] };
  breakdown?: Record<string, number>;
  goals: {
    endToEndOverhead: number;
    updateRoundTripP99Ms: number;
    supersessionP99Ms: number;
    appsPerSecondOneWorker: number;
  };
}

interface TimingRow {
  operation: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  vsBaseline: number;
  components?: number;
}

function read<T>(name: string): T | undefined {
  const path = join(repoRoot(), 'bench', 'results', `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const mib = (values: number[]) => values.map((v) => `${v.toFixed(0)} MiB`).join(' + ');
const cores = (values: number[]) => values.map((v) => v.toFixed(2)).join(' + ');

function engineSection(e: EngineResult): string[] {
  const row = (m: EngineMeasure) =>
    `| ${m.name} | ${m.measured.runs} | ${formatMs(m.measured.p50Ms)} | ${formatMs(m.measured.p99Ms)} | ${formatMs(m.baseline.p50Ms)} | ${formatMs(m.baseline.p99Ms)} | ${m.ratioP50.toFixed(2)}× |`;
  const t = e.throughput;
  return [
    '## Publish engine (`npm run bench:engine`)',
    '',
    `Measured ${e.date} on ${e.cpu} (${e.cores ?? '?'} cores), Node ${e.node}. ${e.method}.`,
    '',
    '| measure | runs | p50 ms | p99 ms | baseline p50 | baseline p99 | p50 ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row(e.publish.updateRoundTrip),
    row(e.publish.endToEnd),
    row(e.supersession),
    row(e.revisionList),
    '',
    'Baselines: an update that runs one no-op activity (update round trip); a workflow with the same no-op activities in the same shape as a two-cluster publish (end to end); the plain publish round trip (supersession); a query returning a list (revision list).',
    '',
    '| throughput | apps | seconds | apps/s | worker CPU (cores) | worker peak RSS |',
    '|---|---:|---:|---:|---:|---:|',
    `| one worker | ${t.oneWorker.apps} | ${t.oneWorker.seconds.toFixed(1)} | ${t.oneWorker.appsPerSecond.toFixed(1)} | ${cores(t.oneWorker.workerCpuCores)} | ${mib(t.oneWorker.workerPeakRssMiB)} |`,
    `| two workers | ${t.twoWorkers.apps} | ${t.twoWorkers.seconds.toFixed(1)} | ${t.twoWorkers.appsPerSecond.toFixed(1)} | ${cores(t.twoWorkers.workerCpuCores)} | ${mib(t.twoWorkers.workerPeakRssMiB)} |`,
    `| baseline workflows | ${t.oneWorker.apps} | | ${t.baselineWorkflowsPerSecond.toFixed(1)} | | |`,
    '',
    ...(e.kubeDeploy
      ? [
          `kubeDeploy (publish → every Deployment Ready on hangzhou1 and hangzhou2, against \`kubectl apply --server-side\` + \`kubectl rollout status\` of the same objects): ${e.kubeDeploy.runs} runs, p50 ${formatMs(e.kubeDeploy.measured.p50Ms)} / p99 ${formatMs(e.kubeDeploy.measured.p99Ms)} ms against ${formatMs(e.kubeDeploy.baseline.p50Ms)} / ${formatMs(e.kubeDeploy.baseline.p99Ms)} ms: ${e.kubeDeploy.ratioP50.toFixed(2)}× at p50.`,
          '',
        ]
      : []),
    `Entity scale: ${e.entityScale.applications} applications idle on two workers: RSS ${mib(e.entityScale.workerRssMiB)}.`,
    ...(e.breakdown
      ? [
          '',
          'Where a publish spends its time (p50 of the last 50 measured publishes, from the revision history’s timestamps):',
          '',
          '| segment | p50 ms |',
          '|---|---:|',
          ...Object.entries(e.breakdown).map(
            ([segment, ms]) => `| ${segment.replace(/^ +/, '… ')} | ${formatMs(ms)} |`,
          ),
        ]
      : []),
    '',
    '| goal | target | measured | |',
    '|---|---|---|---|',
    `| end-to-end overhead | ≤ 1.3× baseline | ${e.goals.endToEndOverhead.toFixed(2)}× | ${verdict(e.goals.endToEndOverhead <= 1.3)} |`,
    `| update round trip p99 | ≤ 200 ms | ${formatMs(e.goals.updateRoundTripP99Ms)} ms | ${verdict(e.goals.updateRoundTripP99Ms <= 200)} |`,
    `| supersession p99 | ≤ 1 s | ${formatMs(e.goals.supersessionP99Ms)} ms | ${verdict(e.goals.supersessionP99Ms <= 1000)} |`,
    `| sustained throughput | ≥ 5 apps/s | ${e.goals.appsPerSecondOneWorker.toFixed(1)} apps/s (one worker) | ${verdict(e.goals.appsPerSecondOneWorker >= 5)} |`,
  ];
}

function timingSection(
  title: string,
  r: (Machine & { results: TimingRow[] }) | undefined,
  sized: boolean,
): string[] {
  if (!r) return [];
  return [
    title,
    '',
    `Measured ${r.date} on ${r.cpu}, Node ${r.node}. ${r.method}.`,
    '',
    sized
      ? '| components | operation | runs | p50 ms | p99 ms | p50 × baseline |'
      : '| operation | runs | p50 ms | p99 ms | p50 × baseline |',
    sized ? '|---:|---|---:|---:|---:|---:|' : '|---|---:|---:|---:|---:|',
    ...r.results.map(
      (x) =>
        `| ${sized ? `${x.components} | ` : ''}${x.operation} | ${x.runs} | ${formatMs(x.p50Ms)} | ${formatMs(x.p99Ms)} | ${x.vsBaseline.toFixed(1)}× |`,
    ),
    '',
  ];
}

const engine = read<EngineResult>('engine');
const analysis = join(repoRoot(), 'bench', 'analysis.md');
const lines = [
  '# Benchmarks',
  '',
  'Generated by `npm run bench` from `bench/results/*.json`; every figure has a baseline measured in the same run on the same machine and is reported as percentiles and ratios. Nothing here is asserted by a test.',
  '',
  ...(engine ? [...engineSection(engine), ''] : []),
  ...(existsSync(analysis) ? [readFileSync(analysis, 'utf8').trim(), ''] : []),
  ...timingSection('## Model: hash, render, diff (`npm run bench:model`)', read('model'), true),
  ...timingSection('## Kubernetes access against the simulator (`npm run bench:kube`)', read('kube'), false),
];
const out = join(repoRoot(), 'docs', 'benchmarks.md');
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${out}`);
