import { printTable } from '../lib/report.js';
import { formatMs, type Summary } from '../lib/stats.js';
import type { EntityScaleResult } from './entity-scale.js';

interface Measure {
  name: string;
  measured: Summary;
  baseline: Summary;
  ratioP50: number;
}

interface Throughput {
  appsPerSecond: number;
  seconds: number;
  workerCpuCores: number[];
  workerPeakRssMiB: number[];
}

/** The engine benchmark's figures as a table and lines on stdout. */
export function printEngine(r: {
  publish?: { updateRoundTrip: Measure; endToEnd: Measure };
  supersession?: Measure;
  revisionList?: Measure;
  throughput?: {
    oneWorker: Throughput;
    twoWorkers: Throughput;
    baselineWorkflowsPerSecond: number;
    idleApplications: number;
    idleWorkerRssMiB: number[];
  };
  kubeDeploy?: { measured: Summary; baseline: Summary; ratioP50: number };
  breakdown?: Record<string, number>;
  entityScale?: EntityScaleResult;
}): void {
  const rows = [r.publish?.updateRoundTrip, r.publish?.endToEnd, r.supersession, r.revisionList].filter(
    (m): m is Measure => m !== undefined,
  );
  if (rows.length > 0) {
    printTable(
      ['measure', 'runs', 'p50 ms', 'p99 ms', 'baseline p50', 'baseline p99', 'p50 ratio'],
      rows.map((m) => [
        m.name,
        String(m.measured.runs),
        formatMs(m.measured.p50Ms),
        formatMs(m.measured.p99Ms),
        formatMs(m.baseline.p50Ms),
        formatMs(m.baseline.p99Ms),
        `${m.ratioP50.toFixed(2)}×`,
      ]),
    );
    console.log('');
  }
  const t = r.throughput;
  if (t) {
    const line = (label: string, x: Throughput) =>
      console.log(
        `${label} ${x.appsPerSecond.toFixed(1)} apps/s (${x.seconds.toFixed(1)} s; CPU ${x.workerCpuCores.map((c) => c.toFixed(2)).join('+')} cores; peak RSS ${x.workerPeakRssMiB.map((v) => v.toFixed(0)).join('+')} MiB)`,
      );
    line('throughput, 1 worker: ', t.oneWorker);
    line('throughput, 2 workers:', t.twoWorkers);
    console.log(`throughput baseline:   ${t.baselineWorkflowsPerSecond.toFixed(1)} workflows/s`);
    console.log(
      `idle with ${t.idleApplications} applications: worker RSS ${t.idleWorkerRssMiB.map((v) => v.toFixed(0)).join(' + ')} MiB`,
    );
  }
  const k = r.kubeDeploy;
  if (k)
    console.log(
      `kubeDeploy (publish → Ready on 2 clusters): p50 ${formatMs(k.measured.p50Ms)} / p99 ${formatMs(k.measured.p99Ms)} ms; kubectl ${formatMs(k.baseline.p50Ms)} / ${formatMs(k.baseline.p99Ms)} ms; ratio p50 ${k.ratioP50.toFixed(2)}×`,
    );
  const e = r.entityScale;
  if (e) {
    const c = e.coldPublish;
    console.log(
      `entity scale: ${e.applications} applications on one worker (${e.workerMemory ?? 'no memory setting'}), created at ${e.createdPerSecond.toFixed(1)}/s; idle RSS ${e.workerRssMiB.toFixed(0)} MiB (peak ${e.workerPeakRssMiB.toFixed(0)})`,
    );
    console.log(
      `  publish to an evicted application: p50 ${formatMs(c.measured.p50Ms)} / p99 ${formatMs(c.measured.p99Ms)} ms; warm ${formatMs(c.baseline.p50Ms)} / ${formatMs(c.baseline.p99Ms)} ms; ratio p50 ${c.ratioP50.toFixed(2)}× (end to end ${c.endToEnd.ratioP50.toFixed(2)}×)`,
    );
  }
  if (r.breakdown) {
    console.log('\nwhere a publish spends its time (p50 of the last 50, from history timestamps):');
    for (const [segment, ms] of Object.entries(r.breakdown))
      console.log(`  ${segment.padEnd(52)} ${formatMs(ms)} ms`);
  }
}
