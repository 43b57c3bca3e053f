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
    idleApplications?: number;
    idleWorkerRssMiB?: number[];
  };
  /** Before 0.3: `workerRssMiB` of the throughput workers, an array. */
  entityScale?: EntityScale | { applications: number; workerRssMiB: number[] };
  breakdown?: Record<string, number>;
  goals: {
    endToEndOverhead: number;
    updateRoundTripP99Ms: number;
    supersessionP99Ms: number;
    appsPerSecondOneWorker: number;
  };
}

interface EntityScale {
  applications: number;
  published: number;
  createdPerSecond: number;
  workerRssMiB: number;
  workerPeakRssMiB: number;
  workerMemory: string | null;
  date?: string;
  run?: string;
  coldPublish: {
    runs: number;
    measured: Summary;
    baseline: Summary;
    ratioP50: number;
    endToEnd: { ratioP50: number };
  };
}

function entityScaleLines(e: EngineResult): string[] {
  const s = e.entityScale;
  if (!s) return [];
  if (Array.isArray(s.workerRssMiB))
    return [`Entity scale: ${s.applications} applications idle on two workers: RSS ${mib(s.workerRssMiB)}.`];
  const x = s as EntityScale;
  const c = x.coldPublish;
  return [
    `Entity scale${x.run ? ` (\`${x.run}\`, ${x.date ?? ''})` : ''}: ${x.applications.toLocaleString('en')} applications on one worker with \`REVELA_WORKER_MEMORY=${x.workerMemory ?? 'unset'}\` — ${x.published.toLocaleString('en')} published once (a ConfigMap on \`local\`, revision \`Succeeded\`, state keep sleeping), the rest entities without a draft — created at ${x.createdPerSecond.toFixed(1)}/s. Idle worker RSS ${x.workerRssMiB.toFixed(0)} MiB (peak ${x.workerPeakRssMiB.toFixed(0)} MiB while creating).`,
    '',
    `| publish (round trip) | runs | p50 ms | p99 ms | warm p50 | warm p99 | p50 ratio | end-to-end ratio |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    `| to an evicted application | ${c.runs} | ${formatMs(c.measured.p50Ms)} | ${formatMs(c.measured.p99Ms)} | ${formatMs(c.baseline.p50Ms)} | ${formatMs(c.baseline.p99Ms)} | ${c.ratioP50.toFixed(2)}× | ${c.endToEnd.ratioP50.toFixed(2)}× |`,
  ];
}

function goalLines(e: EngineResult): string[] {
  const rows: [string, string, number | undefined, (v: number) => string, (v: number) => boolean][] = [
    [
      'publish end to end (`publish.endToEnd.ratioP50`)',
      '≤ 1.2×',
      e.publish.endToEnd.ratioP50,
      (v) => `${v.toFixed(2)}×`,
      (v) => v <= 1.2,
    ],
    [
      'update round trip (`publish.updateRoundTrip.ratioP50`)',
      '≤ 2.0×',
      e.publish.updateRoundTrip.ratioP50,
      (v) => `${v.toFixed(2)}×`,
      (v) => v <= 2,
    ],
    [
      'throughput, one worker, share of the baseline',
      '≥ 0.5×',
      e.throughput.oneWorker.appsPerSecond / e.throughput.baselineWorkflowsPerSecond,
      (v) => `${v.toFixed(2)}×`,
      (v) => v >= 0.5,
    ],
    [
      'kubeDeploy (`kubeDeploy.ratioP50`)',
      '≤ 1.3×',
      e.kubeDeploy?.ratioP50,
      (v) => `${v.toFixed(2)}×`,
      (v) => v <= 1.3,
    ],
    [
      'supersession p99',
      '≤ 1 s',
      e.supersession.measured.p99Ms,
      (v) => `${formatMs(v)} ms`,
      (v) => v <= 1000,
    ],
  ];
  const s = e.entityScale;
  if (s && !Array.isArray(s.workerRssMiB)) {
    const x = s as EntityScale;
    rows.push(
      [
        `entity scale RSS, ${x.applications.toLocaleString('en')} applications (\`entityScale.workerRssMiB\`)`,
        '≤ 1024 MiB',
        x.workerRssMiB,
        (v) => `${v.toFixed(0)} MiB`,
        (v) => v <= 1024,
      ],
      [
        'cold publish (`entityScale.coldPublish.ratioP50`)',
        '≤ 1.5×',
        x.coldPublish.ratioP50,
        (v) => `${v.toFixed(2)}×`,
        (v) => v <= 1.5,
      ],
    );
  }
  return [
    '| goal (issue 13) | target | measured | |',
    '|---|---|---|---|',
    ...rows.map(([name, target, v, fmt, ok]) =>
      v === undefined
        ? `| ${name} | ${target} | not measured | |`
        : `| ${name} | ${target} | ${fmt(v)} | ${verdict(ok(v))} |`,
    ),
  ];
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
    "Baselines: an update that runs one no-op activity (update round trip); one workflow running the same activities in the same shape as a two-cluster publish — resolve and render as no-ops, the same real server-side applies and health waits on both clusters, with Revela's own retry options (end to end, and the throughput baseline); the plain publish round trip (supersession); a query returning a list (revision list). Before 0.3 the end-to-end and throughput baselines ran no-op activities only, so their ratios are not comparable with earlier runs.",
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
    ...(t.idleWorkerRssMiB
      ? [
          `Idle after throughput: ${t.idleApplications} applications on two workers: RSS ${mib(t.idleWorkerRssMiB)}.`,
          '',
        ]
      : []),
    ...entityScaleLines(e),
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
    ...goalLines(e),
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
