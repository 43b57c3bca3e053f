/**
 * CUE render benchmark: applications of 1, 10 and 100 components rendered through the same
 * `renderTargets` as every publish, once with KubeVela-style CUE definitions (a webservice-like
 * component with a sidecar and an env trait, `test/fixtures/cue/`) and once with the built-in
 * JSONata webservice and env trait of the same shape, measured in the same run. The CUE engine
 * starts (and, the first time, builds) before timing; its start-up is reported on its own.
 * Prints a table and writes `bench/results/model-cue.json`.
 *
 *   npm run build && node dist/bench/model/cue.js     (also run by bench/model/index.ts)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cueEngine } from '../../cue/engine.js';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { catalogFromDocuments, mergeCatalogs } from '../../model/catalog-view.js';
import { parseDocument } from '../../model/document.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { printTable, repoRoot, writeResult } from '../lib/report.js';
import { formatMs, measure } from '../lib/stats.js';

const SIZES = [1, 10, 100] as const;
const MIN_RUNS = 100;
/** 100 CUE components take about half a second per render: fewer runs (their p99 is nearly the max). */
const MIN_RUNS_LARGE = 30;
const WARM_UP_MS = 10_000;
const TIME_BUDGET_MS = 1500;
const MAX_RUNS = 2000;

export interface CueBenchRow {
  components: number;
  operation: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
}

function cueDefinitions() {
  const dir = join(repoRoot(), 'test', 'fixtures', 'cue');
  return ['cue-webservice.yaml', 'cue-traits.yaml'].flatMap((file) =>
    parseYamlDocuments(readFileSync(join(dir, file), 'utf8'), file),
  );
}

/** `n` services, each with two ports (one exposed), a sidecar (CUE only) and two env variables. */
function application(n: number, engine: 'cue' | 'jsonata'): Application {
  const components = Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`,
    type: engine === 'cue' ? 'cue-webservice' : 'webservice',
    properties: {
      image: `registry.example.com/team/svc-${i}:1.${i}.0`,
      replicas: 2,
      ports: [{ port: 8080, expose: true }, { port: 9090 }],
    },
    traits:
      engine === 'cue'
        ? [
            { type: 'cue-sidecar', properties: { name: 'proxy', image: 'envoyproxy/envoy:v1.31' } },
            { type: 'cue-env', properties: { env: { FEATURE_X: 'on', REGION: 'hangzhou' } } },
          ]
        : [{ type: 'env', properties: { env: { FEATURE_X: 'on', REGION: 'hangzhou' } } }],
  }));
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: `bench-${engine}-${n}`, namespace: 'bench' },
    spec: { components },
  }) as Application;
}

/** Measures CUE and built-in renders side by side; returns the rows (also printed and written). */
export async function runCueBench(): Promise<CueBenchRow[]> {
  const started = performance.now();
  const engine = await cueEngine();
  const startMs = performance.now() - started;
  const catalog = mergeCatalogs(loadBuiltinDefinitions(), catalogFromDocuments(cueDefinitions()));
  // V8 compiles the 30 MB module with its baseline tier first and optimizes hot functions later:
  // evaluate for a while before timing, so the figures are a worker's steady state.
  const warm = buildSnapshot({ application: application(10, 'cue'), catalog });
  const warmTargets = resolvePlacement(warm, [], []);
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 0; performance.now() < warmUntil; i++)
    await renderTargets(warm, warmTargets, `warm-v${i + 1}`);
  const rows: CueBenchRow[] = [];
  for (const n of SIZES) {
    for (const kind of ['jsonata', 'cue'] as const) {
      const snapshot = buildSnapshot({ application: application(n, kind), catalog });
      const targets = resolvePlacement(snapshot, [], []);
      const revision = `${snapshot.application.metadata.name}-v1`;
      const objects = (await renderTargets(snapshot, targets, revision)).length;
      const operation =
        kind === 'cue'
          ? `render CUE: cue-webservice + sidecar + env (${objects} objects)`
          : `render built-in: webservice + env (${objects} objects)`;
      // A new revision name per run: renders are cached by snapshot and revision, and what is
      // measured here is the template evaluation, not the cache.
      const name = snapshot.application.metadata.name;
      const summary = await measure((i) => renderTargets(snapshot, targets, `${name}-v${i + 2}`), {
        minRuns: n >= 100 ? MIN_RUNS_LARGE : MIN_RUNS,
        warmup: n >= 100 ? 3 : 10,
        timeBudgetMs: TIME_BUDGET_MS,
        maxRuns: MAX_RUNS,
      });
      rows.push({ components: n, operation, runs: summary.runs, p50Ms: summary.p50Ms, p99Ms: summary.p99Ms });
      process.stderr.write(`measured ${operation} for ${n}: p50 ${formatMs(summary.p50Ms)} ms\n`);
    }
  }
  printTable(
    ['components', 'operation', 'runs', 'p50 ms', 'p99 ms'],
    rows.map((r) => [
      String(r.components),
      r.operation,
      String(r.runs),
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
    ]),
    [1],
  );
  console.log(
    `CUE engine (cuelang.org/go ${engine.version}, WebAssembly) started in ${formatMs(startMs)} ms`,
  );
  const out = writeResult('model-cue', {
    method: `${MIN_RUNS}+ timed renderTargets runs per row (${MIN_RUNS_LARGE}+ for 100 components) until ${TIME_BUDGET_MS} ms, 10 (3) warm-up runs after ${WARM_UP_MS} ms of CUE renders, a new revision name per run (renders are cached by revision), one cluster; templates compiled once per process`,
    cueVersion: engine.version,
    engineStartMs: startMs,
    results: rows,
  });
  console.log(`wrote ${out}`);
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await runCueBench();
}
