import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Lints source as if it lived at `filePath`, with the project's rules minus type-aware ones. */
async function lint(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the lint rules for workflow code', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'node:fs'],
    ["import { createHash } from 'crypto';", 'crypto'],
    ["import { KubeConfig } from '@kubernetes/client-node';", '@kubernetes/client-node'],
    ["import jsonata from 'jsonata';", 'jsonata'],
    ["import Ajv from 'ajv';", 'ajv'],
    ["import { renderTargets } from '../model/render.js';", 'model/render'],
    ["import { cueEngine } from '../cue/engine.js';", 'cue/engine'],
  ])('reject %s in workflows/', async (line, what) => {
    const messages = await lint(`${line}\nexport const x = 1;\n`, 'workflows/probe.ts');
    expect(messages.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    expect(messages.join('\n')).toContain(what);
  });

  it('allow the same imports outside workflows/', async () => {
    const messages = await lint(
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'activities/probe.ts',
    );
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
  });

  it('allow a type-only import of activities in workflows/', async () => {
    const code =
      "import type { createActivities } from '../activities/create-activities.js';\nexport type A = typeof createActivities;\n";
    expect(
      (await lint(code, 'workflows/probe.ts')).filter((m) => m.startsWith('no-restricted-imports')),
    ).toEqual([]);
  });
});
