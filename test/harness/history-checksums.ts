import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { HISTORIES_DIR } from './histories.js';

const execFileAsync = promisify(execFile);

/**
 * `SHA256SUMS` in a release's history folder, in `sha256sum`'s format (`<hex>  <file>`), so
 * `cd test/fixtures/histories/0.1.0 && sha256sum -c SHA256SUMS` checks it without Node.
 */
export const CHECKSUMS_FILE = 'SHA256SUMS';

export type Checksums = ReadonlyMap<string, string>;

export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${CHECKSUMS_FILE}: not a checksum line: ${JSON.stringify(line)}`);
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}

export function formatChecksums(sums: Checksums): string {
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, hex]) => `${hex}  ${file}\n`)
    .join('');
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export interface ChecksumProblem {
  readonly file: string;
  readonly problem: 'changed' | 'missing' | 'not listed';
}

/**
 * Compares a release folder with its manifest: every listed history is present and unchanged,
 * and no history was added to the folder without being listed.
 */
export async function checkReleaseChecksums(
  release: string,
  dir = HISTORIES_DIR,
): Promise<ChecksumProblem[]> {
  const folder = join(dir, release);
  const sums = parseChecksums(await readFile(join(folder, CHECKSUMS_FILE), 'utf8'));
  const problems: ChecksumProblem[] = [];
  for (const [file, hex] of sums) {
    const path = join(folder, file);
    if (!existsSync(path)) problems.push({ file, problem: 'missing' });
    else if ((await sha256(path)) !== hex) problems.push({ file, problem: 'changed' });
  }
  for (const file of (await readdir(folder)).filter((f) => f.endsWith('.json'))) {
    if (!sums.has(file)) problems.push({ file, problem: 'not listed' });
  }
  return problems;
}

/**
 * Adds the histories recorded since the manifest was last written. Lines already in it are kept
 * as they are: a history whose bytes no longer match its line is an error, never a new line.
 *
 * @returns the files added to the manifest
 */
export async function sealRelease(release: string, dir = HISTORIES_DIR): Promise<string[]> {
  const folder = join(dir, release);
  const path = join(folder, CHECKSUMS_FILE);
  const sums = existsSync(path) ? parseChecksums(await readFile(path, 'utf8')) : new Map<string, string>();
  const added: string[] = [];
  for (const file of (await readdir(folder)).filter((f) => f.endsWith('.json')).sort()) {
    const hex = await sha256(join(folder, file));
    const listed = sums.get(file);
    if (listed === undefined) {
      sums.set(file, hex);
      added.push(file);
    } else if (listed !== hex) {
      throw new Error(
        `${release}/${file} differs from the history its manifest lists: never re-record a history`,
      );
    }
  }
  await writeFile(path, formatChecksums(sums));
  return added;
}

/**
 * Every version of a release's manifest that git ever committed, oldest first. A line that an
 * earlier commit listed and the current manifest drops or changes means a committed history was
 * edited together with its checksum — the manifest alone cannot see that.
 *
 * @returns undefined when git or the history is not available (an exported tarball)
 */
export async function committedManifests(
  release: string,
  dir = HISTORIES_DIR,
): Promise<Checksums[] | undefined> {
  const path = join(dir, release, CHECKSUMS_FILE);
  try {
    const { stdout: top } = await execFileAsync('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    const repoPath = relative(top.trim(), path);
    const { stdout: log } = await execFileAsync('git', ['log', '--format=%H', '--reverse', '--', repoPath], {
      cwd: dir,
    });
    const commits = log.split('\n').filter((c) => c !== '');
    const manifests: Checksums[] = [];
    for (const commit of commits) {
      try {
        const { stdout } = await execFileAsync('git', ['show', `${commit}:${repoPath}`], { cwd: dir });
        manifests.push(parseChecksums(stdout));
      } catch {
        // The commit deleted the manifest; the current one is checked against the others.
      }
    }
    return manifests;
  } catch {
    return undefined;
  }
}
