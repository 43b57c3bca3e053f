import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { ClusterConfigError, UnknownClusterError } from '../../kube/errors.js';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { configMap } from './support/objects.js';

/** The cluster registry over the kubeconfig and clusters.yaml of the run's real clusters. */

let fixture: KubeFixture;
let dir: string;
let files: { kubeconfigPath: string; clustersPath: string };

beforeAll(async () => {
  fixture = await startKubeFixture();
  dir = await mkdtemp(join(tmpdir(), 'revela-registry-'));
  files = { kubeconfigPath: fixture.kubeconfigPath, clustersPath: fixture.clustersPath };
});

afterAll(async () => {
  await fixture?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const MARK = { 'revela.test/registry': 'yes' };

/** Names of the marked ConfigMaps on `cluster`, read directly from its apiserver. */
async function marked(cluster: string): Promise<string[]> {
  const found = await fixture.clusters.list(cluster, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    labelSelector: MARK,
  });
  return found.map((o) => o.metadata.name);
}

describe('ClusterRegistry', () => {
  it('makes every kubeconfig context a cluster when there is no clusters file', async () => {
    const registry = await ClusterRegistry.load({ kubeconfigPath: fixture.kubeconfigPath });
    expect(registry.list()).toEqual([
      { name: 'hangzhou1', labels: {} },
      { name: 'hangzhou2', labels: {} },
      { name: 'local', labels: {} },
    ]);
  });

  it('takes names and labels from clusters.yaml, and selects clusters by label', async () => {
    const registry = await ClusterRegistry.load(files);
    expect(registry.get('hangzhou1')).toEqual({ name: 'hangzhou1', labels: { region: 'hangzhou' } });
    expect(registry.select({ region: 'hangzhou' }).map((c) => c.name)).toEqual(['hangzhou1', 'hangzhou2']);
    expect(registry.select({ region: 'beijing' })).toEqual([]);
    expect(registry.select({}).map((c) => c.name)).toEqual(['hangzhou1', 'hangzhou2', 'local']);
    expect(registry.has('local')).toBe(true);
    expect(registry.has('beijing1')).toBe(false);
  });

  it('an unknown cluster is an UnknownClusterError that lists the known clusters', async () => {
    const registry = await ClusterRegistry.load(files);
    let error: unknown;
    try {
      registry.client('beijing1');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownClusterError);
    expect(error).toMatchObject({
      type: 'UnknownCluster',
      cluster: 'beijing1',
      known: ['hangzhou1', 'hangzhou2', 'local'],
    });
    expect((error as Error).message).toBe(
      'unknown cluster "beijing1": known clusters are hangzhou1, hangzhou2, local (add a context to the kubeconfig or an entry to clusters.yaml)',
    );
    expect(() => registry.get('beijing1')).toThrow(UnknownClusterError);
    expect(() => registry.server('beijing1')).toThrow(UnknownClusterError);
  });

  it('gives each cluster its own client, reaching only that cluster', async () => {
    const registry = await ClusterRegistry.load(files);
    expect(registry.client('hangzhou2')).toBe(registry.client('hangzhou2'));
    expect(registry.server('hangzhou2')).toBe(fixture.clusters.faults('hangzhou2').url);
    // Interleaved calls must not leak credentials or servers between clusters.
    await Promise.all([
      registry.client('hangzhou2').apply(configMap('only-in-hangzhou2', { a: '1' }, { labels: MARK })),
      registry.client('local').apply(configMap('only-in-local', { a: '1' }, { labels: MARK })),
    ]);
    expect(await marked('hangzhou2')).toEqual(['only-in-hangzhou2']);
    expect(await marked('local')).toEqual(['only-in-local']);
    expect(await marked('hangzhou1')).toEqual([]);
  });

  it('maps cluster names to differently named contexts', async () => {
    const clustersPath = join(dir, 'renamed.yaml');
    await writeFile(
      clustersPath,
      'clusters:\n  - name: prod-eu\n    context: hangzhou1\n    labels: {tier: prod}\n',
    );
    const registry = await ClusterRegistry.load({ kubeconfigPath: files.kubeconfigPath, clustersPath });
    expect(registry.list()).toEqual([{ name: 'prod-eu', labels: { tier: 'prod' } }]);
    await registry.client('prod-eu').apply(configMap('via-alias', { a: '1' }, { labels: MARK }));
    expect(await marked('hangzhou1')).toEqual(['via-alias']);
  });

  it('reads $KUBECONFIG when no path is given', async () => {
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = files.kubeconfigPath;
    try {
      const registry = await ClusterRegistry.load();
      expect(registry.list().map((c) => c.name)).toEqual(['hangzhou1', 'hangzhou2', 'local']);
    } finally {
      if (previous === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = previous;
    }
  });

  it('rejects a clusters.yaml that names a missing context, saying which contexts exist', async () => {
    const clustersPath = join(dir, 'bad.yaml');
    await writeFile(clustersPath, 'clusters:\n  - name: beijing1\n    context: beijing\n');
    const load = ClusterRegistry.load({ kubeconfigPath: files.kubeconfigPath, clustersPath });
    await expect(load).rejects.toThrow(ClusterConfigError);
    await expect(load).rejects.toThrow(
      /cluster "beijing1" uses context "beijing", which kubeconfig .* does not define \(it has local, hangzhou1, hangzhou2\)/,
    );
  });

  it('rejects a malformed clusters.yaml and a missing kubeconfig with messages naming the file', async () => {
    const clustersPath = join(dir, 'malformed.yaml');
    await writeFile(clustersPath, 'clusters:\n  - context: local\n');
    await expect(
      ClusterRegistry.load({ kubeconfigPath: files.kubeconfigPath, clustersPath }),
    ).rejects.toThrow(/clusters file .*malformed\.yaml is invalid: clusters\.0\.name: /);
    await expect(ClusterRegistry.load({ kubeconfigPath: join(dir, 'nope') })).rejects.toThrow(
      /kubeconfig .*nope does not exist/,
    );
  });
});
