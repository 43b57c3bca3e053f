import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import { withPublishVersion } from '../../model/application.js';
import { canonicalJson, utf8ByteLength } from '../../model/canonical-json.js';
import { mergeCatalogs, type CatalogView } from '../../model/catalog-view.js';
import { contentHash, snapshotContentForHash, snapshotHash } from '../../model/hash.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import { RevisionSnapshotSchema } from '../../model/snapshot.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { compileModel } from './helpers/compile-model.js';
import { expectGolden } from './helpers/golden.js';
import {
  FIXTURES_DIR,
  PODINFO_DIR,
  podinfoApp,
  podinfoClusters,
  podinfoCatalog,
  podinfoNamespaceCatalog,
  withImage,
} from './helpers/podinfo.js';

function podinfoHash(app = podinfoApp(), catalog: CatalogView = podinfoCatalog()): string {
  return buildSnapshot({ application: app, catalog }).hash;
}

/** A deep copy whose object keys are in a random order at every level. */
function shuffleKeys<T>(value: T, random: () => number): T {
  if (Array.isArray(value)) return value.map((v: unknown) => shuffleKeys(v, random)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, random)])) as T;
}

/** A small deterministic PRNG so a failing shuffle can be reproduced. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the snapshot hash', () => {
  let compiled: string;
  // Transpiling model/ for the second process takes seconds, more on a loaded machine.
  beforeAll(() => {
    compiled = compileModel();
  }, 60_000);
  afterAll(() => rmSync(compiled, { recursive: true, force: true }));

  it('is 16 hex characters, the first of the SHA-256 of the canonical content', () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    expect(snapshot.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshot.hash).toBe(contentHash(snapshotContentForHash(snapshot)));
  });

  it('is the committed hash of podinfo, run after run', () => {
    expectGolden('podinfo-hash.txt', `${podinfoHash()}\n`);
  });

  it('is the same when computed by another Node process from the built files', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { loadBuiltinDefinitions } from './dist/definitions/index.js';
      import { buildSnapshot, catalogFromDocuments, mergeCatalogs, parseYamlDocuments } from './dist/model/index.js';
      const read = (f) => parseYamlDocuments(readFileSync(${JSON.stringify(PODINFO_DIR)} + f, 'utf8'), f);
      const [application] = read('app.yaml');
      const catalog = mergeCatalogs(loadBuiltinDefinitions(), catalogFromDocuments([...read('policies.yaml'), ...read('workflow.yaml')]));
      process.stdout.write(buildSnapshot({ application, catalog }).hash);
    `;
    const hash = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: compiled,
      encoding: 'utf8',
    });
    expect(hash).toBe(podinfoHash());
  });

  it('does not depend on the order of keys in the application or the catalog', () => {
    const expected = podinfoHash();
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = mulberry32(seed);
      const app = shuffleKeys(podinfoApp(), random);
      const catalog = shuffleKeys(mergeCatalogs(loadBuiltinDefinitions(), podinfoNamespaceCatalog()), random);
      expect(canonicalJson(app)).toBe(canonicalJson(podinfoApp()));
      expect(JSON.stringify(app)).not.toBe(JSON.stringify(podinfoApp()));
      expect(podinfoHash(app, catalog)).toBe(expected);
    }
  });

  it('stays the same when only the publishVersion changes, which the snapshot still records', () => {
    const beta = buildSnapshot({
      application: withPublishVersion(podinfoApp(), 'beta1'),
      catalog: podinfoCatalog(),
    });
    expect(beta.hash).toBe(podinfoHash());
    expect(beta.application.metadata.annotations).toEqual({ 'app.oam.dev/publishVersion': 'beta1' });
    expect(
      buildSnapshot({ application: withPublishVersion(podinfoApp(), undefined), catalog: podinfoCatalog() })
        .hash,
    ).toBe(podinfoHash());
  });

  it('stays the same when the server added volatile metadata or a status to the application', () => {
    const app = podinfoApp();
    const fromCluster = {
      ...app,
      metadata: {
        ...app.metadata,
        uid: 'b1946ac9',
        resourceVersion: '4711',
        generation: 3,
        managedFields: [{}],
      },
      status: { status: 'running' },
    };
    expect(podinfoHash(fromCluster as typeof app)).toBe(podinfoHash());
  });

  it('changes when the image changes', () => {
    expect(podinfoHash(withImage(podinfoApp(), 'stefanprodan/podinfo:6.0.xxx'))).not.toBe(podinfoHash());
  });

  it('changes when an external policy changes', () => {
    const catalog = podinfoCatalog();
    const override = catalog.policies['override-high-availability'];
    if (!override) throw new Error('fixture lost its override policy');
    catalog.policies['override-high-availability'] = {
      ...override,
      properties: {
        components: [{ type: 'webservice', traits: [{ type: 'scaler', properties: { replicas: 5 } }] }],
      },
    };
    expect(podinfoHash(podinfoApp(), catalog)).not.toBe(podinfoHash());
  });

  it('changes when a definition the application uses changes, and not when an unused one does', () => {
    const builtins = loadBuiltinDefinitions();
    const webservice = structuredClone(builtins.componentDefinitions.webservice);
    const task = structuredClone(builtins.componentDefinitions.task);
    if (!webservice || !task) throw new Error('built-ins lost webservice or task');
    webservice.spec.version = '1.0.1';
    task.spec.version = '9.9.9';
    const withNewWebservice = mergeCatalogs(podinfoCatalog(), { componentDefinitions: { webservice } });
    const withNewTask = mergeCatalogs(podinfoCatalog(), { componentDefinitions: { task } });
    expect(podinfoHash(podinfoApp(), withNewWebservice)).not.toBe(podinfoHash());
    expect(podinfoHash(podinfoApp(), withNewTask)).toBe(podinfoHash());
  });

  it('changes when a used trait definition changes (scaler, added by the override policy)', () => {
    const scaler = structuredClone(loadBuiltinDefinitions().traitDefinitions.scaler);
    if (!scaler) throw new Error('built-ins lost scaler');
    scaler.spec.description = 'changed';
    expect(
      podinfoHash(podinfoApp(), mergeCatalogs(podinfoCatalog(), { traitDefinitions: { scaler } })),
    ).not.toBe(podinfoHash());
  });

  it('records only the definitions podinfo uses, and its size in bytes of canonical JSON', () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    expect(Object.keys(snapshot.componentDefinitions)).toEqual(['webservice']);
    expect(Object.keys(snapshot.traitDefinitions)).toEqual(['scaler']);
    expect(Object.keys(snapshot.policyDefinitions)).toEqual(['override', 'topology']);
    expect(Object.keys(snapshot.workflowStepDefinitions)).toEqual(['deploy']);
    expect(Object.keys(snapshot.externalPolicies)).toEqual([
      'topology-hangzhou-clusters',
      'override-high-availability',
    ]);
    expect(snapshot.externalWorkflow?.metadata.name).toBe('make-release-in-hangzhou');
    const { hash: _hash, size, ...content } = snapshot;
    expect(size).toBe(utf8ByteLength(canonicalJson(content)));
  });

  it('of a revision recorded before KubeVela labels and the new webservice stays its recorded hash, and it renders as recorded', async () => {
    // podinfo-v1 as Revela 0.1.0 recorded it: webservice 1.0.0 (replicas 1 by default, no
    // app.oam.dev/name on the pod template). The snapshot, not the renderer, is hashed, and it
    // carries its own definitions, so re-applying it (rollback, state keep) does not roll pods.
    const recorded = RevisionSnapshotSchema.parse(
      JSON.parse(readFileSync(`${FIXTURES_DIR}recorded/podinfo-v1-snapshot.json`, 'utf8')),
    );
    expect(recorded.hash).toBe('44abbe4ab10433a4');
    expect(snapshotHash(recorded)).toBe(recorded.hash);
    expect(recorded.componentDefinitions.webservice?.spec.version).toBe('1.0.0');
    const targets = resolvePlacement(
      recorded,
      ['topology-hangzhou-clusters', 'override-high-availability'],
      podinfoClusters(),
    );
    const [first] = await renderTargets(recorded, targets, 'podinfo-v1');
    const spec = first?.object.spec as { replicas: number; template: { metadata: { labels: object } } };
    expect(spec.replicas).toBe(3);
    expect(spec.template.metadata.labels).toEqual({ 'app.oam.dev/component': 'podinfo' });
    expect(first?.object.metadata.labels).toMatchObject({ 'app.oam.dev/appRevision': 'podinfo-v1' });
  });

  it('of a new build differs from the recorded one only because webservice changed', () => {
    const recorded = JSON.parse(readFileSync(`${FIXTURES_DIR}recorded/podinfo-v1-snapshot.json`, 'utf8')) as {
      componentDefinitions: Record<string, unknown>;
    };
    const fresh = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    const withOldWebservice = { ...fresh, componentDefinitions: recorded.componentDefinitions };
    expect(snapshotHash(withOldWebservice as typeof fresh)).toBe('44abbe4ab10433a4');
  });
});
