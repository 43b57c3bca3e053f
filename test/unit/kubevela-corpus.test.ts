import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '../../cli/load-inputs.js';
import { preflightDocuments } from '../../client/preflight.js';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { ClusterInfo } from '../../model/cluster-info.js';
import { isRevelaError } from '../../model/errors.js';

const CORPUS = new URL('../fixtures/kubevela/', import.meta.url).pathname;

function clusters(): ClusterInfo[] {
  const file = parse(readFileSync(join(CORPUS, 'clusters.yaml'), 'utf8')) as {
    clusters: { name: string; labels?: Record<string, string> }[];
  };
  return file.clusters.map((c) => ({ name: c.name, labels: c.labels ?? {} }));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'clusters.yaml')
    .sort()
    .map((f) => join(dir, f));
}

/** What `revela dry-run -f <file> --clusters clusters.yaml` decides: accepted, or the typed error. */
async function judge(file: string): Promise<{ accepted: boolean; objects: number; error?: string }> {
  try {
    const results = await preflightDocuments(await loadInputs([file]), {
      readCatalog: () => Promise.resolve(loadBuiltinDefinitions()),
      clusters: clusters(),
      assumeNamedClusters: true,
      reader: { read: () => Promise.resolve(undefined), list: () => Promise.resolve([]) },
      revision: (app) => `${app.metadata.name}-v1`,
    });
    const objects = results.flatMap((r) => r.steps.flatMap((s) => s.resources)).length;
    return { accepted: true, objects };
  } catch (e) {
    if (!isRevelaError(e)) throw e;
    return { accepted: false, objects: 0, error: `${e.type}: ${e.message}` };
  }
}

describe('the KubeVela-style corpus', () => {
  const supported = yamlFiles(CORPUS);
  const unsupported = yamlFiles(join(CORPUS, 'unsupported'));

  it(
    `accepts and renders every document that uses only KubeVela's built-ins (${supported.length} files)`,
    { timeout: 120_000 },
    async () => {
      const verdicts = await Promise.all(
        supported.map(async (f) => ({ file: f.slice(CORPUS.length), ...(await judge(f)) })),
      );
      const accepted = verdicts.filter((v) => v.accepted);
      const all = supported.length + unsupported.length;
      // The acceptance count the issue note reports.
      console.log(
        `KubeVela-style corpus: ${accepted.length}/${supported.length} built-in-only documents accepted (${accepted.length}/${all} of all)`,
      );
      expect(verdicts.filter((v) => !v.accepted)).toEqual([]);
      for (const v of accepted) expect(v.objects, v.file).toBeGreaterThan(0);
    },
  );

  it.each(unsupported.map((f) => [f.slice(CORPUS.length)]))(
    'refuses %s, which uses a feature Revela lacks, with a typed error',
    async (file) => {
      const verdict = await judge(join(CORPUS, file));
      expect(verdict.accepted, `${file} is accepted now: move it out of unsupported/`).toBe(false);
      expect(verdict.error).toMatch(/^(UnknownDefinition|InvalidDocument|InvalidParameters): /);
    },
  );
});
