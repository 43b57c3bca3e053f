import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities/create-activities.js';
import type { ActivityDeps } from '../../../activities/deps.js';
import { CliContext } from '../../../cli/context.js';
import { dryRunRevision } from '../../../cli/commands/dry-run.js';
import { describeFailure } from '../../../cli/errors.js';
import { loadInputs } from '../../../cli/load-inputs.js';
import type { DryRunView } from '../../../cli/output/dry-run-view.js';
import { buildProgram } from '../../../cli/program.js';
import { loadBuiltinDefinitions } from '../../../definitions/index.js';
import type { Application } from '../../../model/application.js';
import { catalogFromDocuments, mergeCatalogs } from '../../../model/catalog-view.js';
import type { ClusterInfo } from '../../../model/cluster-info.js';
import { objectKey, refOf } from '../../../model/kube-object.js';
import type { RenderedResource } from '../../../model/rendered-resource.js';
import { buildSnapshot } from '../../../model/snapshot-builder.js';
import { deploySteps, stepRenderRequest } from '../../../model/step-request.js';
import { planWorkflow } from '../../../model/workflow-plan.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;
const PODINFO_CLUSTERS: ClusterInfo[] = [
  { name: 'local', labels: {} },
  { name: 'hangzhou1', labels: { region: 'hangzhou' } },
  { name: 'hangzhou2', labels: { region: 'hangzhou' } },
];

/** Runs `revela <argv>` in-process; the exit code is what `main` would return. */
async function revela(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ctx = new CliContext({ stdout, stderr, env: {}, cwd: process.cwd() });
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, out, err };
    const report = describeFailure(e);
    return { code: report.exitCode, out, err: `${err}${report.lines.join('\n')}` };
  }
}

/** Example folders that hold YAML documents. */
function exampleDirs(): string[] {
  return readdirSync(EXAMPLES)
    .map((name) => join(EXAMPLES, name))
    .filter((dir) => statSync(dir).isDirectory() && readdirSync(dir).some((f) => f.endsWith('.yaml')));
}

/**
 * What the worker applies for the same documents: the snapshot a publish records, each deploying
 * step rendered by the `renderStep` activity on the same clusters, an object kept once.
 */
async function workerRendered(dir: string, clusters: ClusterInfo[]): Promise<RenderedResource[]> {
  const documents = await loadInputs([dir]);
  const activities = createActivities({
    registry: { list: () => clusters },
    readCatalog: () => Promise.resolve(loadBuiltinDefinitions()),
  } as unknown as ActivityDeps);
  const out: RenderedResource[] = [];
  const seen = new Set<string>();
  for (const application of documents.filter((d): d is Application => d.kind === 'Application')) {
    const catalog = mergeCatalogs(loadBuiltinDefinitions(), catalogFromDocuments(documents));
    const snapshot = buildSnapshot({ application, catalog });
    const revision = dryRunRevision(application.metadata.name);
    for (const step of deploySteps(planWorkflow(snapshot).steps)) {
      const { resources } = await activities.renderStep(stepRenderRequest(snapshot, revision, step));
      for (const r of resources) {
        const key = objectKey(r.cluster, refOf(r.object));
        if (!seen.has(key)) out.push({ cluster: r.cluster, component: r.component, object: r.object });
        seen.add(key);
      }
    }
  }
  return out;
}

function printed(view: DryRunView): RenderedResource[] {
  return view.applications.flatMap((a) =>
    a.steps.flatMap((s) =>
      s.clusters.flatMap((c) =>
        c.objects.map((o) => ({ cluster: c.cluster, component: o.component, object: o.object })),
      ),
    ),
  );
}

describe('revela dry-run', () => {
  it.each(exampleDirs().map((d) => [d]))('of %s prints the objects the worker applies', async (dir) => {
    const { code, out } = await revela([
      'dry-run',
      '-f',
      dir,
      '--clusters',
      join(EXAMPLES, 'podinfo', 'registry', 'clusters.yaml'),
      '-o',
      'json',
    ]);
    expect(code).toBe(0);
    const view = JSON.parse(out) as DryRunView;
    expect(printed(view)).toEqual(await workerRendered(dir, PODINFO_CLUSTERS));
    expect(printed(view).length).toBeGreaterThan(0);
  });

  it('prints podinfo per step and cluster as a YAML stream, on hangzhou1 and hangzhou2 only', async () => {
    const { code, out } = await revela([
      'dry-run',
      '-f',
      join(EXAMPLES, 'podinfo'),
      '--clusters',
      join(EXAMPLES, 'podinfo', 'registry', 'clusters.yaml'),
    ]);
    expect(code).toBe(0);
    const headers = out.split('\n').filter((l) => l.startsWith('# '));
    expect(headers).toEqual([
      '# Application examples/podinfo (podinfo-v1), step deploy-hangzhou (deploy), cluster hangzhou1, component podinfo',
      '# Application examples/podinfo (podinfo-v1), step deploy-hangzhou (deploy), cluster hangzhou2, component podinfo',
    ]);
    expect(out).toContain('replicas: 3');
  });

  it('without --clusters places on local, and a label selector then matches nothing: exit 1 with the typed error', async () => {
    const { code, err } = await revela(['dry-run', '-f', join(EXAMPLES, 'podinfo')]);
    expect(code).toBe(1);
    expect(err).toMatch(/region=hangzhou/);
    expect(err).toContain('Policy examples/topology-hangzhou-clusters');
  });

  it('takes clusters named by a topology as given and refuses a bad parameter with its object and path', async () => {
    const app = (replicas: string) =>
      join(process.env.TMPDIR ?? '/tmp', `dry-run-${replicas.replace(/\W/g, '')}.yaml`);
    const { writeFileSync } = await import('node:fs');
    const good = app('2');
    writeFileSync(
      good,
      `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: { name: shop, namespace: prod }
spec:
  components: [{ name: web, type: webservice, properties: { image: nginx }, traits: [{ type: scaler, properties: { replicas: 2 } }] }]
  policies: [{ name: eu, type: topology, properties: { clusters: [eu-1, eu-2] } }]
`,
    );
    const ok = await revela(['dry-run', '-f', good, '-o', 'yaml']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('cluster: eu-1');
    expect(ok.out).toContain('cluster: eu-2');
    const bad = app('minus');
    writeFileSync(
      bad,
      `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: { name: shop, namespace: prod }
spec:
  components: [{ name: web, type: webservice, properties: { image: nginx }, traits: [{ type: scaler, properties: { replicas: -1 } }] }]
`,
    );
    const refused = await revela(['dry-run', '-f', bad]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Application prod/shop');
    expect(refused.err).toContain('spec.components[0].traits[0].properties.replicas');
  });
});
