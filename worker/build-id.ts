import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflowsPath } from './workflows-path.js';

/** The package root: the folder of Revela's package.json, above `worker/` or `dist/worker/`. */
function packageRoot(): string {
  for (const candidate of ['../..', '..']) {
    const dir = fileURLToPath(new URL(`${candidate}/`, import.meta.url));
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string };
    if (pkg.name === 'revela') return dir;
  }
  throw new Error(`no package.json of revela above ${fileURLToPath(import.meta.url)}`);
}

/** Revela's release, from package.json (`0.2.0`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

// Value imports and re-exports (`import { a } from './x.js'`, `export * from`, `import './x.js'`);
// `import type` and `export type` are erased by the compiler and never reach the bundle.
const SPECIFIER = /(?:^|[;\n])\s*(?:import|export)\s+(?!type[\s{])(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

/** `./x.js` from a `.ts` source resolves to `./x.ts`, as TypeScript's NodeNext resolution does. */
function resolveLocal(from: string, specifier: string): string {
  const path = resolve(dirname(from), specifier);
  if (existsSync(path)) return path;
  const ts = path.replace(/\.js$/, '.ts');
  if (existsSync(ts)) return ts;
  throw new Error(`${from}: cannot resolve import ${JSON.stringify(specifier)}`);
}

/** `@temporalio/workflow/lib/x` → `@temporalio/workflow`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function installedVersion(root: string, name: string): string {
  const path = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(path)) return 'not installed';
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/**
 * A hash of what the workflow bundle is built from: every local file the workflow entry point
 * reaches through value imports (path relative to the package root, and contents), plus the
 * installed version of every package those files import. The same sources give the same hash on
 * every machine; any change that could alter workflow behaviour gives a new one.
 *
 * @returns 64 hex characters
 */
export function workflowSourceHash(entry: string = workflowsPath()): string {
  const root = packageRoot();
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    files.set(file, source);
    for (const [, specifier] of source.matchAll(SPECIFIER)) {
      if (specifier!.startsWith('.')) pending.push(resolveLocal(file, specifier!));
      else packages.add(packageName(specifier!));
    }
  }
  const hash = createHash('sha256');
  for (const file of [...files.keys()].sort()) {
    hash.update(`file ${relative(root, file)}\n${files.get(file)}\n`);
  }
  for (const name of [...packages].sort()) hash.update(`package ${name}@${installedVersion(root, name)}\n`);
  return hash.digest('hex');
}

/** Build ids Temporal accepts and Kubernetes labels can carry: letters, digits, `.`, `_`, `-`. */
export const BUILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * The Worker Deployment build id of this worker: `REVELA_BUILD_ID` when set (a release pipeline
 * that names its builds), else `<package version>-<first 10 hex of the workflow source hash>`,
 * e.g. `0.2.0-3f9a0c1b2d`. Two workers with the same id must run the same workflow code: a
 * revision pinned to it may replay on either.
 */
export function revelaBuildId(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.REVELA_BUILD_ID;
  if (override !== undefined && override !== '') return override;
  return `${packageVersion()}-${workflowSourceHash().slice(0, 10)}`;
}
