import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../cli/context.js';
import { loadInputs } from '../../cli/load-inputs.js';
import type { DryRunView } from '../../cli/output/dry-run-view.js';
import { buildProgram } from '../../cli/program.js';
import type { KubeObject } from '../../model/kube-object.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

const PODINFO_DIR = new URL('../../examples/podinfo/', import.meta.url).pathname;
const PODINFO = { name: 'podinfo', namespace: 'examples' };

/** `revela dry-run -f examples/podinfo/ --clusters … -o json`, in-process: no Temporal, no cluster. */
async function dryRun(): Promise<DryRunView> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const ctx = new CliContext({ stdout, stderr: new PassThrough(), env: {}, cwd: process.cwd() });
  await buildProgram(ctx).parseAsync(
    ['dry-run', '-f', PODINFO_DIR, '--clusters', `${PODINFO_DIR}registry/clusters.yaml`, '-o', 'json'],
    { from: 'user' },
  );
  return JSON.parse(out) as DryRunView;
}

/**
 * The paths where `printed` and `live` differ, looking only at what `printed` sets: a live object
 * also holds what the apiserver defaults and what the controllers report, which dry-run cannot know.
 */
function differences(printed: unknown, live: unknown, path = ''): string[] {
  if (Array.isArray(printed)) {
    if (!Array.isArray(live) || live.length !== printed.length) return [`${path}: ${JSON.stringify(live)}`];
    return printed.flatMap((p, i) => differences(p, live[i], `${path}[${i}]`));
  }
  if (typeof printed === 'object' && printed !== null) {
    if (typeof live !== 'object' || live === null) return [`${path}: ${JSON.stringify(live)}`];
    return Object.entries(printed).flatMap(([k, v]) =>
      differences(v, (live as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return printed === live
    ? []
    : [`${path}: printed ${JSON.stringify(printed)}, live ${JSON.stringify(live)}`];
}

/**
 * Acceptance of `revela dry-run` against the real thing: what it prints offline for the podinfo
 * example is what a worker then applies to real clusters — the same objects on the same clusters,
 * field for field, and nothing else carrying the application's labels.
 */
describe('revela dry-run against what a worker applies', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('prints for examples/podinfo exactly the objects podinfo-v1 applies to hangzhou1 and hangzhou2', async () => {
    const view = await dryRun();
    const printed = view.applications.flatMap((a) =>
      a.steps.flatMap((s) =>
        s.clusters.flatMap((c) => c.objects.map((o) => ({ cluster: c.cluster, object: o.object }))),
      ),
    );
    expect(printed.map((p) => `${p.cluster}:${p.object.kind}/${p.object.metadata.name}`)).toEqual([
      'hangzhou1:Deployment/podinfo',
      'hangzhou2:Deployment/podinfo',
    ]);

    const outcomes = await stack.client.apply(await loadInputs([PODINFO_DIR]));
    const published = outcomes.find((o) => o.kind === 'Application')?.revision;
    expect(published?.revision).toBe('podinfo-v1');
    const done = await stack.client.waitForRevision(PODINFO, 'podinfo-v1', { timeoutMs: 120_000 });
    expect(done.status).toBe('Succeeded');

    for (const { cluster, object } of printed) {
      const live = await stack.clusters.direct.client(cluster).read({
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? PODINFO.namespace,
      });
      expect(live, `${object.kind}/${object.metadata.name} on ${cluster}`).toBeDefined();
      expect(
        differences(object, live as KubeObject),
        `${object.kind}/${object.metadata.name} on ${cluster}`,
      ).toEqual([]);
    }
    // Nothing the dry run did not print: no other object of podinfo on any cluster.
    for (const cluster of ['local', 'hangzhou1', 'hangzhou2']) {
      for (const kind of [
        { apiVersion: 'apps/v1', kind: 'Deployment' },
        { apiVersion: 'v1', kind: 'Service' },
      ]) {
        const found = await stack.clusters.direct.client(cluster).list({
          ...kind,
          namespace: PODINFO.namespace,
          labelSelector: { 'app.oam.dev/name': 'podinfo' },
        });
        expect(found.map((o) => `${cluster}:${o.kind}/${o.metadata.name}`)).toEqual(
          printed
            .filter((p) => p.cluster === cluster && p.object.kind === kind.kind)
            .map((p) => `${cluster}:${p.object.kind}/${p.object.metadata.name}`),
        );
      }
    }
  });
});
