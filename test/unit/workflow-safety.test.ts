import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Model files that Temporal workflow code imports. They run in the deterministic sandbox, so they
 * may import only zod and each other (type-only imports are erased and always fine).
 */
const WORKFLOW_SAFE = [
  'app-references',
  'application',
  'builtin-steps',
  'canonical-json',
  'catalog-view',
  'cluster-info',
  'deep-merge',
  'definition',
  'document',
  'drift',
  'duration',
  'errors',
  'field-paths',
  'garbage-decision',
  'ids',
  'json-clone',
  'kube-object',
  'labels',
  'object-meta',
  'object-path',
  'ownership',
  'ownership-errors',
  'ownership-metadata',
  'ownership-policies',
  'ownership-scope',
  'placement',
  'policy',
  'ref-objects',
  'resource-selector',
  'rendered-resource',
  'schema-cache',
  'revision',
  'snapshot',
  'step-condition',
  'step-io',
  'step-io-check',
  'strategic-merge',
  'value-from',
  'workflow',
  'workflow-plan',
];

function runtimeImports(file: string): string[] {
  const source = readFileSync(new URL(`../../model/${file}.ts`, import.meta.url), 'utf8');
  const imports = [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map(
    (m) => m[1] ?? '',
  );
  return imports;
}

describe('workflow-safe model files', () => {
  it.each(WORKFLOW_SAFE)('%s.ts imports only zod and other workflow-safe model files', (file) => {
    for (const specifier of runtimeImports(file)) {
      const local = /^\.\/(.+)\.js$/.exec(specifier)?.[1];
      expect(
        specifier === 'zod' || (local !== undefined && WORKFLOW_SAFE.includes(local)),
        `${file}.ts imports ${specifier}`,
      ).toBe(true);
    }
  });
});
