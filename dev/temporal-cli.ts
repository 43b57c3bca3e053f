import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath, isExecutable } from './executables.js';
import { goVersion } from './go-toolchain.js';

const execFileAsync = promisify(execFile);

/**
 * Temporal CLI versions Revela can build with `go install`, newest first. v1.5.1 is the newest tag
 * whose go.mod has no `replace` directive (later ones break `go install pkg@version`).
 */
export const TEMPORAL_CLI_VERSIONS = ['v1.5.1', 'v1.4.1', 'v1.3.0'] as const;

/** The Go version the CLI's module requires. */
const MIN_GO = { major: 1, minor: 25 };

/** How the `temporal` binary was found; `sdk-download` means the SDK fetches it itself at start. */
export type TemporalCliSource = 'env' | 'path' | 'cache' | 'go-install' | 'sdk-download';

export type TemporalCli =
  | {
      readonly kind: 'binary';
      readonly path: string;
      readonly source: Exclude<TemporalCliSource, 'sdk-download'>;
    }
  | { readonly kind: 'sdk-download'; readonly source: 'sdk-download' };

export interface ProvisionOptions {
  /** Environment to read `TEMPORAL_CLI`, `PATH` and the cache location from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where cached builds live. @default `$XDG_CACHE_HOME/revela` or `~/.cache/revela` */
  readonly cacheDir?: string;
  /** Progress lines ("building temporal v1.5.1 with go install …"). @default stderr */
  readonly log?: (line: string) => void;
  /** Whether to try the SDK's download when nothing else works. @default probe the internet */
  readonly allowDownload?: boolean;
}

/** Raised when no way of getting the Temporal CLI works; the message says what to install. */
export class TemporalCliUnavailableError extends Error {
  override readonly name = 'TemporalCliUnavailableError';
  constructor(
    message: string,
    readonly attempts: readonly string[],
  ) {
    super(message);
  }
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'revela');
}

/** Path of the cached build of one CLI version. */
export function cachedCliPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'temporal-cli', version, 'temporal');
}

async function internetReachable(): Promise<boolean> {
  try {
    const res = await fetch('https://temporal.download/', {
      method: 'HEAD',
      signal: AbortSignal.timeout(3000),
    });
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * Builds one CLI version into a fresh directory and moves it into the cache, so a concurrent run
 * never sees a half-written binary.
 */
async function goInstall(
  version: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; path: string } | { ok: false; output: string }> {
  const target = cachedCliPath(cacheDir, version);
  await mkdir(join(cacheDir, 'temporal-cli'), { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, 'temporal-cli', `.build-${version}-`));
  try {
    await execFileAsync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
      env: { ...env, GOBIN: tmp, CGO_ENABLED: env.CGO_ENABLED ?? '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    await mkdir(join(cacheDir, 'temporal-cli', version), { recursive: true });
    await rename(join(tmp, 'temporal'), target);
    return { ok: true, path: target };
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    return { ok: false, output: (e.stderr ?? e.message ?? String(err)).trim() };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Finds or builds the `temporal` CLI, in this order: `TEMPORAL_CLI`; `temporal` on PATH; a cached
 * build; `go install` (v1.5.1, then v1.4.1, then v1.3.0) when Go ≥ 1.25 is present; the SDK's own
 * download when the internet is reachable. Logs which way was taken and how long it took.
 *
 * @throws TemporalCliUnavailableError naming what to install when every way fails.
 */
export async function provisionTemporalCli(options: ProvisionOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const attempts: string[] = [];

  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) {
      log(`temporal CLI: ${fromEnv} (from TEMPORAL_CLI, ${took()})`);
      return { kind: 'binary', path: fromEnv, source: 'env' };
    }
    throw new TemporalCliUnavailableError(`TEMPORAL_CLI=${fromEnv} is not an executable file`, [
      `TEMPORAL_CLI=${fromEnv}: not executable`,
    ]);
  }
  attempts.push('TEMPORAL_CLI: not set');

  const onPath = await findOnPath('temporal', env);
  if (onPath) {
    log(`temporal CLI: ${onPath} (found on PATH, ${took()})`);
    return { kind: 'binary', path: onPath, source: 'path' };
  }
  attempts.push('PATH: no `temporal`');

  for (const version of TEMPORAL_CLI_VERSIONS) {
    const cached = cachedCliPath(cacheDir, version);
    if (await isExecutable(cached)) {
      log(`temporal CLI: ${cached} (cached build of ${version}, ${took()})`);
      return { kind: 'binary', path: cached, source: 'cache' };
    }
  }
  attempts.push(`cache: nothing under ${join(cacheDir, 'temporal-cli')}`);

  const go = await goVersion(env);
  if (go && (go.major > MIN_GO.major || (go.major === MIN_GO.major && go.minor >= MIN_GO.minor))) {
    for (const version of TEMPORAL_CLI_VERSIONS) {
      log(`temporal CLI: building ${version} with ${go.text} (go install, first run only; a few minutes)…`);
      const built = await goInstall(version, cacheDir, env);
      if (built.ok) {
        log(`temporal CLI: built ${built.path} with go install ${version} in ${took()}`);
        return { kind: 'binary', path: built.path, source: 'go-install' };
      }
      log(`temporal CLI: go install ${version} failed:\n${built.output}`);
      attempts.push(
        `go install github.com/temporalio/cli/cmd/temporal@${version}: ${built.output.split('\n').at(-1)}`,
      );
    }
  } else {
    attempts.push(go ? `go: ${go.text} is older than go1.25` : 'go: not installed');
  }

  const allowDownload = options.allowDownload ?? (await internetReachable());
  if (allowDownload) {
    log(`temporal CLI: the Temporal SDK will download it at server start (${took()})`);
    return { kind: 'sdk-download', source: 'sdk-download' };
  }
  attempts.push('download: temporal.download is not reachable');

  throw new TemporalCliUnavailableError(
    [
      'cannot find or build the Temporal CLI. Do one of:',
      '  - install Go >= 1.25 (https://go.dev/doc/install); Revela then builds the CLI itself with go install,',
      '  - install the `temporal` CLI (https://docs.temporal.io/cli) and put it on PATH,',
      '  - set TEMPORAL_CLI=/path/to/temporal,',
      '  - or allow access to https://temporal.download so the SDK can fetch it.',
      'Tried:',
      ...attempts.map((a) => `  - ${a}`),
    ].join('\n'),
    attempts,
  );
}
