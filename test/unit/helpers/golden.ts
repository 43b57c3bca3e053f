/**
 * Golden files under test/fixtures/model/. `UPDATE_GOLDEN=1 npx vitest run --project unit`
 * rewrites them; otherwise a test fails when its output differs from the committed file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';
import { FIXTURES_DIR } from './podinfo.js';

export function expectGolden(name: string, actual: string): void {
  const path = `${FIXTURES_DIR}golden/${name}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run --project unit, review it, commit it`,
    );
  }
  expect(actual, `output differs from golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(path, 'utf8'),
  );
}
