/**
 * Benchmark of the pure core: snapshot hash, render and live-diff for applications of 1, 10 and
 * 100 components, each against a baseline measured in the same run on the same application
 * (`JSON.stringify` + SHA-256, the least any content hash can cost). Prints a table and writes
 * `bench/results/model.json`.
 *
 *   npm run bench:model
 */
import { createHash } from 'node:crypto';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { catalogFromDocuments, mergeCatalogs, type CatalogView } from '../../model/catalog-view.js';
import type { ClusterInfo } from '../../model/cluster-info.js';
import {
  diffInputFromDraft,
  diffInputFromSnapshot,
  diffRendered,
  formatLiveDiff,
  formatRenderedDiff,
  liveDiff,
} from '../../model/diff.js';
import { parseDocument } from '../../model/document.js';
import { snapshotHash } from '../../model/hash.js';
import { resolvePlacement } from '../../model/placement.js';
import { clearRenderCache, renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import type { RevisionSnapshot } from '../../model/snapshot.js';
import { printTable, writeResult } from '../lib/report.js';
import { runCueBench } from './cue.js';
import { formatMs, measure } from '../lib/stats.js';

const SIZES = [1, 10, 100] as const;
const POLICIES = ['topology-hangzhou', 'override-ha'];
const CLUSTERS: ClusterInfo[] = [
  { name: 'local', labels: {} },
  { name: 'hangzhou1', labels: { region: 'hangzhou' } },
  { name: 'hangzhou2', labels: { region: 'hangzhou' } },
];

/** At least this many timed runs per operation (p99 needs about 100)… */
const MIN_RUNS = 100;
/** …and more while the operation has used less than this much time. */
const TIME_BUDGET_MS = 1500;
const MAX_RUNS = 5000;

interface Row {
  components: number;
  operation: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 of the operation divided by the p50 of the baseline of the same size. */
  vsBaseline: number;
}

function namespaceCatalog(): CatalogView {
  const docs: unknown[] = [
    {
      apiVersion: 'core.oam.dev/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'topology-hangzhou', namespace: 'bench' },
      type: 'topology',
      properties: { clusterLabelSelector: { region: 'hangzhou' } },
    },
    {
      apiVersion: 'core.oam.dev/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'override-ha', namespace: 'bench' },
      type: 'override',
      properties: {
        components: [{ type: 'webservice', traits: [{ type: 'scaler', properties: { replicas: 3 } }] }],
      },
    },
    {
      apiVersion: 'core.oam.dev/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'release', namespace: 'bench' },
      steps: [{ name: 'deploy-hangzhou', type: 'deploy', properties: { policies: POLICIES } }],
    },
  ];
  return catalogFromDocuments(docs.map((d) => parseDocument(d)));
}

/** An application of `n` web services, each with ports, env and three traits. */
function application(n: number, image = 'stefanprodan/podinfo:6.0.1'): Application {
  const components = Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`,
    type: 'webservice',
    properties: {
      image: i === 0 ? image : `registry.example.com/team/svc-${i}:1.${i}.0`,
      ports: [{ port: 8080, expose: true }, { port: 9090 }],
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'SERVICE_INDEX', value: String(i) },
      ],
      cpu: '250m',
      memory: '256Mi',
    },
    traits: [
      { type: 'labels', properties: { team: `team-${i % 7}`, tier: 'backend' } },
      { type: 'env', properties: { env: { FEATURE_X: 'on', REGION: 'hangzhou' } } },
      { type: 'annotations', properties: { 'example.com/owner': `owner-${i}` } },
    ],
  }));
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: `bench-${n}`, namespace: 'bench', annotations: { 'app.oam.dev/publishVersion': 'v1' } },
    spec: { components, workflow: { ref: 'release' } },
  }) as Application;
}

async function main(): Promise<void> {
  const catalog = mergeCatalogs(loadBuiltinDefinitions(), namespaceCatalog());
  const rows: Row[] = [];
  for (const n of SIZES) {
    const app = application(n);
    const draft = application(n, 'stefanprodan/podinfo:6.0.xxx');
    const snapshot: RevisionSnapshot = buildSnapshot({ application: app, catalog });
    const next = buildSnapshot({ application: draft, catalog });
    const targets = resolvePlacement(snapshot, POLICIES, CLUSTERS);
    const rendered = await renderTargets(snapshot, targets, `${app.metadata.name}-v1`);
    const renderedNext = await renderTargets(
      next,
      resolvePlacement(next, POLICIES, CLUSTERS),
      `${app.metadata.name}-v2`,
    );
    const base = diffInputFromSnapshot(snapshot);

    const operations: [string, () => unknown][] = [
      [
        'baseline: JSON.stringify + sha256 of the app',
        () => createHash('sha256').update(JSON.stringify(app)).digest('hex'),
      ],
      ['hash: canonical JSON + sha256 of the snapshot', () => snapshotHash(snapshot)],
      ['snapshot: validate everything + hash', () => buildSnapshot({ application: app, catalog })],
      [
        `render, first time: place + render on ${targets.length} clusters`,
        () => {
          clearRenderCache();
          return renderTargets(
            snapshot,
            resolvePlacement(snapshot, POLICIES, CLUSTERS),
            `${app.metadata.name}-v1`,
          );
        },
      ],
      [
        `render again (same revision): place + render on ${targets.length} clusters`,
        () =>
          renderTargets(snapshot, resolvePlacement(snapshot, POLICIES, CLUSTERS), `${app.metadata.name}-v1`),
      ],
      [
        'live-diff: draft vs revision, formatted',
        () => formatLiveDiff(liveDiff(base, diffInputFromDraft(draft, catalog)), { context: 2 }),
      ],
      [
        'rendered diff: two revisions, formatted',
        () => formatRenderedDiff(diffRendered(rendered, renderedNext), { context: 2 }),
      ],
    ];
    let baselineP50 = Number.NaN;
    for (const [operation, fn] of operations) {
      const {
        runs,
        p50Ms: p50,
        p99Ms: p99,
      } = await measure(fn, { minRuns: MIN_RUNS, timeBudgetMs: TIME_BUDGET_MS, maxRuns: MAX_RUNS });
      if (operation.startsWith('baseline')) baselineP50 = p50;
      rows.push({ components: n, operation, runs, p50Ms: p50, p99Ms: p99, vsBaseline: p50 / baselineP50 });
    }
    process.stderr.write(
      `measured ${n} component(s): snapshot ${snapshot.size} bytes, ${rendered.length} rendered objects\n`,
    );
  }

  const header = ['components', 'operation', 'runs', 'p50 ms', 'p99 ms', 'p50 × baseline'];
  const table = rows.map((r) => [
    String(r.components),
    r.operation,
    String(r.runs),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    `${r.vsBaseline.toFixed(1)}×`,
  ]);
  printTable(header, table, [1]);
  const out = writeResult('model', {
    method: `${MIN_RUNS}+ timed runs per operation (until ${TIME_BUDGET_MS} ms), 10 warm-up runs; baseline = JSON.stringify + sha256 of the same application`,
    results: rows,
  });
  console.log(`\nwrote ${out}`);
}

await main();
// CUE definitions next to the built-ins, in bench/results/model-cue.json (bench/model/cue.ts).
await runCueBench();
