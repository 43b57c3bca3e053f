import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion, revelaBuildId, workflowSourceHash } from '../../worker/build-id.js';
import { releaseOf } from '../../worker/versioning.js';
import { workflowsPath } from '../../worker/workflows-path.js';

const root = new URL('../../', import.meta.url).pathname;
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The workflow sources (workflows/ and model/) copied to a fresh folder, package.json beside them. */
function copySources(): string {
  const dir = mkdtempSync(join(tmpdir(), 'revela-build-id-'));
  copies.push(dir);
  for (const folder of ['workflows', 'model'])
    cpSync(join(root, folder), join(dir, folder), { recursive: true });
  return dir;
}

describe('build id', () => {
  it('names the release and a hash of the workflow sources', () => {
    expect(packageVersion()).toBe('0.2.0');
    expect(revelaBuildId({})).toMatch(/^0\.2\.0-[0-9a-f]{10}$/);
    expect(releaseOf(revelaBuildId({}))).toEqual([0, 2, 0]);
  });

  it('REVELA_BUILD_ID overrides it', () => {
    expect(revelaBuildId({ REVELA_BUILD_ID: 'release-7' })).toBe('release-7');
  });

  it('is the same for the same sources, whatever folder they are in', () => {
    expect(workflowSourceHash()).toBe(workflowSourceHash(workflowsPath()));
    const copy = copySources();
    // Paths are hashed relative to the package root, so a copy outside it differs only by them.
    expect(workflowSourceHash(join(copy, 'workflows', 'index.ts'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a file the workflows import changes, not when an unrelated one does', () => {
    const copy = copySources();
    const entry = join(copy, 'workflows', 'index.ts');
    const before = workflowSourceHash(entry);
    writeFileSync(join(copy, 'model', 'unrelated-to-workflows.ts'), 'export const x = 1;\n');
    expect(workflowSourceHash(entry)).toBe(before);
    writeFileSync(join(copy, 'workflows', 'mutex.ts'), '// changed\n', { flag: 'a' });
    expect(workflowSourceHash(entry)).not.toBe(before);
  });
});

describe('worker versioning configuration', () => {
  it('defaults to deployment revela, auto promotion and the computed build id', async () => {
    const { loadWorkerConfig } = await import('../../worker/config.js');
    expect(loadWorkerConfig({}).versioning).toEqual({
      enabled: true,
      deploymentName: 'revela',
      buildId: revelaBuildId({}),
      promote: 'auto',
    });
  });

  it('refuses a build id Temporal or a label could not carry, and a release other than its own', async () => {
    const { loadWorkerConfig } = await import('../../worker/config.js');
    expect(() => loadWorkerConfig({ REVELA_BUILD_ID: 'has space' })).toThrow(
      /REVELA_BUILD_ID: letters, digits/,
    );
    expect(() => loadWorkerConfig({ REVELA_DEPLOYMENT_NAME: 'a.b' })).toThrow(/REVELA_DEPLOYMENT_NAME/);
    expect(() => loadWorkerConfig({ REVELA_RELEASE: '0.3.0' })).toThrow(
      /REVELA_RELEASE: this worker is release 0\.2\.0, not 0\.3\.0/,
    );
    expect(loadWorkerConfig({ REVELA_RELEASE: '0.2.0', REVELA_PROMOTE: 'never' }).versioning.promote).toBe(
      'never',
    );
  });
});
