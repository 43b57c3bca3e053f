import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Vitest transforms modules, so an import that only Vite understands passes every other test and
 * still breaks `npm start`, `revela worker` and the published package. These load the build the
 * way users run it: plain Node ESM.
 */
const ENTRY_POINTS = [
  'dist/cli/main.js',
  'dist/client/revela-client.js',
  'dist/client/payload-codec.js',
  'dist/worker/create-worker.js',
  'dist/worker/run-worker.js',
  'dist/dev/dev-stack.js',
  'dist/dev/kube-binaries.js',
  'dist/dev/local-clusters.js',
];

describe('the build under plain Node ESM', () => {
  it.each(ENTRY_POINTS)('%s loads', (entry) => {
    const path = `${ROOT}${entry}`;
    if (!existsSync(path))
      throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    const script =
      entry === 'dist/cli/main.js'
        ? null
        : `import(${JSON.stringify(path)}).then(() => process.stdout.write('ok'), (e) => { process.stderr.write(String(e)); process.exit(1); })`;
    const out = script
      ? execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: 'pipe',
        })
      : execFileSync(process.execPath, [path, '--version'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(out.trim()).toMatch(/^(ok|\d+\.\d+\.\d+ \(build \S+\))$/);
  });
});
