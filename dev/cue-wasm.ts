/**
 * Provisions the CUE evaluator (`cue/wasm`, cuelang.org/go compiled to WebAssembly) the way
 * `temporal-cli.ts` provisions the Temporal CLI: a given file, else a cached build keyed by the Go
 * source, else a build with Go through the module proxy (logged, about a minute, first run only),
 * else an error that says what to install. Go's `wasm_exec.js` (the JS half of the Go runtime,
 * which must come from the Go that built the `.wasm`) is kept next to it.
 *
 * `node dist/dev/cue-wasm.js [--out DIR]` builds (or finds) it and prints the path.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { defaultCacheDir } from './temporal-cli.js';

const execFileAsync = promisify(execFile);

/** The file names of a provisioned evaluator. */
export const CUE_WASM_FILE = 'revela-cue.wasm';
export const WASM_EXEC_FILE = 'wasm_exec.js';

/** cuelang.org/go v0.17 needs Go 1.25 (its go.mod says so). */
const MIN_GO = { major: 1, minor: 25 };

/** A build holds a lock this long at most; an older lock is a crashed build. */
const LOCK_STALE_MS = 10 * 60_000;

export interface CueWasm {
  /** The `.wasm` module. */
  readonly wasmPath: string;
  /** Go's `wasm_exec.js` matching it. */
  readonly wasmExecPath: string;
  /** How it was found. */
  readonly source: 'env' | 'cache' | 'build';
}

export interface CueWasmOptions {
  /** Environment to read `REVELA_CUE_WASM`, Go's settings and the cache location from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where cached builds live. @default `$XDG_CACHE_HOME/revela` or `~/.cache/revela` */
  readonly cacheDir?: string;
  /** The Go module to build. @default the `cue/wasm` folder of this package */
  readonly sourceDir?: string;
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
}

/** Raised when the evaluator can be neither found nor built; the message says what to install. */
export class CueWasmUnavailableError extends Error {
  override readonly name = 'CueWasmUnavailableError';
  constructor(
    message: string,
    readonly attempts: readonly string[],
  ) {
    super(message);
  }
}

/** The `cue/wasm` Go module, from `dev/` (tsx, vitest) or `dist/dev/` (built). */
export function cueWasmSourceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'cue', 'wasm'), join(here, '..', '..', 'cue', 'wasm')];
  const found = candidates.find((dir) => existsSync(join(dir, 'go.mod')));
  if (found === undefined) {
    throw new CueWasmUnavailableError(
      `the CUE evaluator's Go source is missing: looked in ${candidates.join(' and ')}`,
      [],
    );
  }
  return found;
}

/** The cuelang.org/go version the module requires, read from its go.mod. */
export async function cueVersionOf(sourceDir: string): Promise<string> {
  const goMod = await readFile(join(sourceDir, 'go.mod'), 'utf8');
  const m = /^\s*(?:require\s+)?cuelang\.org\/go\s+(v\S+)/m.exec(goMod);
  if (!m?.[1])
    throw new CueWasmUnavailableError(`${join(sourceDir, 'go.mod')} does not require cuelang.org/go`, []);
  return m[1];
}

/** A short hash of everything the build reads from the source folder, so an edit rebuilds. */
async function sourceHash(sourceDir: string): Promise<string> {
  const files = (await readdir(sourceDir))
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(sourceDir, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

/** The cache folder of one build: `~/.cache/revela/cue-wasm/v0.17.1-<source hash>`. */
export async function cachedCueWasmDir(cacheDir: string, sourceDir: string): Promise<string> {
  return join(cacheDir, 'cue-wasm', `${await cueVersionOf(sourceDir)}-${await sourceHash(sourceDir)}`);
}

interface GoEnv {
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly root: string;
}

async function goEnv(env: NodeJS.ProcessEnv): Promise<GoEnv | undefined> {
  try {
    const { stdout } = await execFileAsync('go', ['env', 'GOVERSION', 'GOROOT'], { env });
    const [version = '', root = ''] = stdout.trim().split('\n');
    const m = /^go(\d+)\.(\d+)/.exec(version);
    if (!m) return undefined;
    return { version, major: Number(m[1]), minor: Number(m[2]), root };
  } catch {
    return undefined;
  }
}

/** Go ≥ 1.24 keeps wasm_exec.js in lib/wasm, older releases in misc/wasm. */
function wasmExecOf(goRoot: string): string | undefined {
  return [join(goRoot, 'lib', 'wasm', WASM_EXEC_FILE), join(goRoot, 'misc', 'wasm', WASM_EXEC_FILE)].find(
    (p) => existsSync(p),
  );
}

function complete(dir: string): CueWasm | undefined {
  const wasmPath = join(dir, CUE_WASM_FILE);
  const wasmExecPath = join(dir, WASM_EXEC_FILE);
  return existsSync(wasmPath) && existsSync(wasmExecPath)
    ? { wasmPath, wasmExecPath, source: 'cache' }
    : undefined;
}

/**
 * Builds into a fresh folder and renames it into place, so a concurrent reader never sees half a
 * build; a lock file keeps two processes (test workers) from building at once on a small machine.
 */
async function build(
  go: GoEnv,
  sourceDir: string,
  target: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ ok: true; wasm: CueWasm } | { ok: false; output: string }> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const lockPath = `${target}.lock`;
  const lock = await acquireLock(lockPath, () => complete(target) !== undefined, log);
  try {
    const done = complete(target);
    if (done) return { ok: true, wasm: done };
    const wasmExec = wasmExecOf(go.root);
    if (wasmExec === undefined) return { ok: false, output: `no ${WASM_EXEC_FILE} under ${go.root}` };
    const tmp = await mkdtemp(join(parent, '.build-'));
    try {
      const cueVersion = await cueVersionOf(sourceDir);
      await execFileAsync(
        'go',
        [
          'build',
          '-mod=readonly',
          '-trimpath',
          '-ldflags',
          `-s -w -X main.cueVersion=${cueVersion}`,
          '-o',
          join(tmp, CUE_WASM_FILE),
          '.',
        ],
        {
          cwd: sourceDir,
          env: { ...env, GOOS: 'js', GOARCH: 'wasm', CGO_ENABLED: '0' },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      await copyFile(wasmExec, join(tmp, WASM_EXEC_FILE));
      await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
      return {
        ok: true,
        wasm: {
          wasmPath: join(target, CUE_WASM_FILE),
          wasmExecPath: join(target, WASM_EXEC_FILE),
          source: 'build',
        },
      };
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      return { ok: false, output: (e.stderr ?? e.message ?? String(err)).trim() };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  } finally {
    await lock.release();
  }
}

/** Takes the build lock, or waits while another process builds (until `done` or the lock goes). */
async function acquireLock(
  lockPath: string,
  done: () => boolean,
  log: (line: string) => void,
): Promise<{ release: () => Promise<void> }> {
  const deadline = Date.now() + LOCK_STALE_MS;
  let told = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(lockPath, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_STALE_MS) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (done()) return { release: async () => {} };
    if (Date.now() > deadline)
      throw new CueWasmUnavailableError(`another build has held ${lockPath} for over 10 minutes`, []);
    if (!told) log(`cue wasm: another process is building it; waiting for ${lockPath} to go`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Finds or builds the CUE evaluator, in this order: `REVELA_CUE_WASM` (a `.wasm` file with
 * `wasm_exec.js` beside it); the cached build of this source; a build with Go ≥ 1.25.
 *
 * @throws CueWasmUnavailableError naming what to install when every way fails.
 */
export async function provisionCueWasm(options: CueWasmOptions = {}): Promise<CueWasm> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const attempts: string[] = [];

  const fromEnv = env.REVELA_CUE_WASM;
  if (fromEnv) {
    const wasmPath = resolve(fromEnv);
    const wasmExecPath = join(dirname(wasmPath), WASM_EXEC_FILE);
    const problem = !existsSync(wasmPath)
      ? 'no such file'
      : !existsSync(wasmExecPath)
        ? `no ${WASM_EXEC_FILE} beside it (copy the one of the Go that built it)`
        : undefined;
    if (problem === undefined) return { wasmPath, wasmExecPath, source: 'env' };
    throw new CueWasmUnavailableError(`REVELA_CUE_WASM=${fromEnv}: ${problem}`, [
      `REVELA_CUE_WASM=${fromEnv}: ${problem}`,
    ]);
  }
  attempts.push('REVELA_CUE_WASM: not set');

  const sourceDir = options.sourceDir ?? cueWasmSourceDir();
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const target = await cachedCueWasmDir(cacheDir, sourceDir);
  const cached = complete(target);
  if (cached) return cached;
  attempts.push(`cache: nothing in ${target}`);

  const go = await goEnv(env);
  if (go && (go.major > MIN_GO.major || (go.major === MIN_GO.major && go.minor >= MIN_GO.minor))) {
    const cueVersion = await cueVersionOf(sourceDir);
    log(
      `cue wasm: building cuelang.org/go ${cueVersion} with ${go.version} into ${target} (GOOS=js GOARCH=wasm, first run only; about a minute)…`,
    );
    const built = await build(go, sourceDir, target, env, log);
    if (built.ok) {
      if (built.wasm.source === 'build') log(`cue wasm: built ${built.wasm.wasmPath} in ${took()}`);
      return built.wasm;
    }
    log(`cue wasm: go build failed:\n${built.output}`);
    attempts.push(`go build in ${sourceDir}: ${built.output.split('\n').at(-1)}`);
  } else {
    attempts.push(go ? `go: ${go.version} is older than go1.25` : 'go: not installed');
  }

  throw new CueWasmUnavailableError(
    [
      'cannot find or build the CUE evaluator (needed for definitions with spec.schematic.cue). Do one of:',
      '  - install Go >= 1.25 (https://go.dev/doc/install) with access to the Go module proxy; Revela then builds it itself,',
      `  - or set REVELA_CUE_WASM=/path/to/${CUE_WASM_FILE} (built by \`node dist/dev/cue-wasm.js\`, with ${WASM_EXEC_FILE} beside it).`,
      'Tried:',
      ...attempts.map((a) => `  - ${a}`),
    ].join('\n'),
    attempts,
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const wasm = await provisionCueWasm();
  if (outIndex === -1) {
    process.stdout.write(`${wasm.wasmPath}\n`);
    return;
  }
  const out = resolve(argv[outIndex + 1] ?? '.');
  await mkdir(out, { recursive: true });
  await copyFile(wasm.wasmPath, join(out, CUE_WASM_FILE));
  await copyFile(wasm.wasmExecPath, join(out, WASM_EXEC_FILE));
  process.stdout.write(`${join(out, CUE_WASM_FILE)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
