import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutable } from './executables.js';
import { defaultCacheDir } from './temporal-cli.js';
import { goVersion } from './go-toolchain.js';

/**
 * The Kubernetes release every local cluster runs. One pinned patch release: the build folder,
 * the cache key and the version strings baked in with `-ldflags` all derive from it.
 */
export const KUBERNETES_VERSION = 'v1.34.4';
/** etcd release supported by Kubernetes 1.34 (Debian's etcd-server 3.4 is too old). */
export const ETCD_VERSION = 'v3.6.5';
/** kwok: simulated nodes and pod lifecycle, the Kubernetes project's own tool for this. */
export const KWOK_VERSION = 'v0.7.0';

/** Every binary a local cluster needs, by the name it has on disk. */
export const KUBE_BINARY_NAMES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'kwokctl',
] as const;
export type KubeBinaryName = (typeof KUBE_BINARY_NAMES)[number];

/** How the binaries were found. */
export type KubeBinariesSource = 'env' | 'cache' | 'go-build';

export interface KubeBinaries {
  /** The folder holding all of {@link KUBE_BINARY_NAMES}. */
  readonly dir: string;
  readonly paths: Readonly<Record<KubeBinaryName, string>>;
  readonly source: KubeBinariesSource;
  readonly kubernetesVersion: string;
}

export interface KubeBinariesOptions {
  /** Environment to read `REVELA_KUBE_BIN`, Go settings and the cache location from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where cached builds live. @default `$XDG_CACHE_HOME/revela` or `~/.cache/revela` */
  readonly cacheDir?: string;
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
}

/** Raised when the binaries can be neither found nor built; the message says what to do. */
export class KubeBinariesUnavailableError extends Error {
  override readonly name = 'KubeBinariesUnavailableError';
  constructor(
    message: string,
    readonly attempts: readonly string[],
  ) {
    super(message);
  }
}

/** The Go version `k8s.io/kubernetes` 1.34 requires. */
const MIN_GO = { major: 1, minor: 24 };

/** The staging modules `k8s.io/kubernetes` replaces with folders its module zip lacks. */
const STAGING_MODULES = [
  'api',
  'apiextensions-apiserver',
  'apimachinery',
  'apiserver',
  'cli-runtime',
  'client-go',
  'cloud-provider',
  'cluster-bootstrap',
  'code-generator',
  'component-base',
  'component-helpers',
  'controller-manager',
  'cri-api',
  'cri-client',
  'csi-translation-lib',
  'dynamic-resource-allocation',
  'endpointslice',
  'externaljwt',
  'kms',
  'kube-aggregator',
  'kube-controller-manager',
  'kube-proxy',
  'kube-scheduler',
  'kubectl',
  'kubelet',
  'metrics',
  'mount-utils',
  'pod-security-admission',
  'sample-apiserver',
  'sample-cli-plugin',
  'sample-controller',
] as const;

/** kubectl comes along: kwokctl checks readiness with it, and it matches the servers' version. */
const KUBE_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;

/** Folder of the cached build of the pinned versions. */
export function cachedKubeBinDir(cacheDir: string): string {
  return join(cacheDir, 'kube', `${KUBERNETES_VERSION}-etcd${ETCD_VERSION}-kwok${KWOK_VERSION}`, 'bin');
}

function pathsIn(dir: string): Record<KubeBinaryName, string> {
  return Object.fromEntries(KUBE_BINARY_NAMES.map((n) => [n, join(dir, n)])) as Record<
    KubeBinaryName,
    string
  >;
}

async function missingIn(dir: string): Promise<KubeBinaryName[]> {
  const missing: KubeBinaryName[] = [];
  for (const name of KUBE_BINARY_NAMES) if (!(await isExecutable(join(dir, name)))) missing.push(name);
  return missing;
}

/**
 * Finds or builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and kwokctl,
 * in this order: the folder `REVELA_KUBE_BIN`; a cached build; a build through the Go module proxy
 * (a few minutes the first time, with progress). Logs the path taken and how long it took.
 *
 * @throws KubeBinariesUnavailableError listing what was tried and what to install.
 */
export async function provisionKubeBinaries(options: KubeBinariesOptions = {}): Promise<KubeBinaries> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const attempts: string[] = [];
  const found = (dir: string, source: KubeBinariesSource): KubeBinaries => ({
    dir,
    paths: pathsIn(dir),
    source,
    kubernetesVersion: KUBERNETES_VERSION,
  });

  const fromEnv = env.REVELA_KUBE_BIN;
  if (fromEnv) {
    const missing = await missingIn(fromEnv);
    if (missing.length === 0) {
      log(`kubernetes: binaries from REVELA_KUBE_BIN=${fromEnv} (${took()})`);
      return found(fromEnv, 'env');
    }
    throw new KubeBinariesUnavailableError(
      `REVELA_KUBE_BIN=${fromEnv} lacks executable ${missing.join(', ')} (it must hold ${KUBE_BINARY_NAMES.join(', ')})`,
      [`REVELA_KUBE_BIN=${fromEnv}: missing ${missing.join(', ')}`],
    );
  }
  attempts.push('REVELA_KUBE_BIN: not set');

  const cached = cachedKubeBinDir(cacheDir);
  if ((await missingIn(cached)).length === 0) {
    log(`kubernetes: cached ${KUBERNETES_VERSION} binaries in ${cached} (${took()})`);
    return found(cached, 'cache');
  }
  attempts.push(`cache: no complete build in ${cached}`);

  const go = await goVersion(env);
  if (!go || go.major < MIN_GO.major || (go.major === MIN_GO.major && go.minor < MIN_GO.minor)) {
    attempts.push(go ? `go: ${go.text} is older than go1.${MIN_GO.minor}` : 'go: not installed');
    throw unavailable(attempts);
  }
  log(
    `kubernetes: building ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION} and kwok ${KWOK_VERSION} with ${go.text} ` +
      'through the Go module proxy (first run only: about 10 minutes on 2 cores, ~4 GiB of Go build cache)…',
  );
  try {
    await withBuildLock(join(cacheDir, 'kube'), log, async () => {
      // Another process may have finished the build while this one waited for the lock.
      if ((await missingIn(cached)).length > 0) await buildAll(cached, env, log);
    });
  } catch (err) {
    attempts.push(`go build: ${(err as Error).message.split('\n').slice(-3).join(' ')}`);
    throw unavailable(attempts);
  }
  log(`kubernetes: built into ${cached} in ${took()}`);
  return found(cached, 'go-build');
}

function unavailable(attempts: readonly string[]): KubeBinariesUnavailableError {
  return new KubeBinariesUnavailableError(
    [
      'cannot find or build the Kubernetes binaries for the local clusters. Do one of:',
      `  - install Go >= 1.${MIN_GO.minor} (https://go.dev/doc/install) with access to a Go module proxy; Revela then builds them itself,`,
      `  - or set REVELA_KUBE_BIN to a folder holding ${KUBE_BINARY_NAMES.join(', ')}`,
      `    (Kubernetes ${KUBERNETES_VERSION.slice(0, 5)}.x, etcd 3.6, kwok ${KWOK_VERSION}).`,
      'Tried:',
      ...attempts.map((a) => `  - ${a}`),
    ].join('\n'),
    attempts,
  );
}

/** A build lock older than this was left by a process that died mid-build. */
const STALE_LOCK_MS = 60 * 60_000;

/**
 * One build at a time per cache: parallel test runs or a test run next to `npm start` wait for
 * the first instead of compiling Kubernetes twice on the same two cores.
 */
async function withBuildLock(
  dir: string,
  log: (line: string) => void,
  fn: () => Promise<void>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.build-lock');
  let announced = false;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`kubernetes: another process is building into ${dir}; waiting for it…`);
      announced = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds into a fresh folder and renames it into place, so a concurrent run never sees half a set. */
async function buildAll(target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const root = join(target, '..');
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, '.build-'));
  const bin = join(work, 'bin');
  const goEnv = { ...env, CGO_ENABLED: env.CGO_ENABLED ?? '0', GOFLAGS: env.GOFLAGS ?? '-mod=mod' };
  try {
    await mkdir(bin, { recursive: true });
    const kubeMod = join(work, 'kubernetes');
    await writeKubernetesWrapper(kubeMod);
    await step(log, 'go mod tidy (kubernetes wrapper)', () => run('go', ['mod', 'tidy'], kubeMod, goEnv));
    for (const cmd of KUBE_COMMANDS) {
      await step(log, `go build ${cmd}`, () =>
        run(
          'go',
          ['build', '-v', '-ldflags', versionLdflags(), '-o', join(bin, cmd), `k8s.io/kubernetes/cmd/${cmd}`],
          kubeMod,
          goEnv,
          packageCounter(log, cmd),
        ),
      );
    }
    const etcdMod = join(work, 'etcd');
    await writeEtcdWrapper(etcdMod);
    await step(log, 'go mod tidy (etcd wrapper)', () => run('go', ['mod', 'tidy'], etcdMod, goEnv));
    await step(log, 'go build etcd', () =>
      run('go', ['build', '-v', '-o', join(bin, 'etcd'), 'go.etcd.io/etcd/server/v3'], etcdMod, goEnv),
    );
    for (const cmd of ['kwok', 'kwokctl']) {
      await step(log, `go install ${cmd}`, () =>
        run('go', ['install', '-v', `sigs.k8s.io/kwok/cmd/${cmd}@${KWOK_VERSION}`], work, {
          ...goEnv,
          GOBIN: bin,
          GOFLAGS: '',
        }),
      );
    }
    await rm(target, { recursive: true, force: true });
    await rename(bin, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The version strings `kubectl version` parses; without them the server says `v0.0.0-master`. */
function versionLdflags(): string {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  const vars = {
    gitVersion: KUBERNETES_VERSION,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
  };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`))
    .join(' ');
}

/** A throwaway module that requires Kubernetes and points each staging module at its release. */
async function writeKubernetesWrapper(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const staging = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
  const goMod = [
    '// Generated by Revela (dev/kube-binaries.ts): builds the local clusters. Not committed.',
    'module revela.local/kubernetes-build',
    '',
    'go 1.24',
    '',
    `require k8s.io/kubernetes ${KUBERNETES_VERSION}`,
    '',
    ...STAGING_MODULES.map((m) => `replace k8s.io/${m} => k8s.io/${m} ${staging}`),
    '',
  ].join('\n');
  const tools = [
    '//go:build tools',
    '',
    '// Package tools keeps the commands in the module graph for go mod tidy.',
    'package tools',
    '',
    'import (',
    ...KUBE_COMMANDS.map((c) => `\t_ "k8s.io/kubernetes/cmd/${c}"`),
    ')',
    '',
  ].join('\n');
  await writeFile(join(dir, 'go.mod'), goMod);
  await writeFile(join(dir, 'tools.go'), tools);
}

async function writeEtcdWrapper(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const goMod = [
    '// Generated by Revela (dev/kube-binaries.ts). Not committed.',
    'module revela.local/etcd-build',
    '',
    'go 1.24',
    '',
    `require go.etcd.io/etcd/server/v3 ${ETCD_VERSION}`,
    '',
  ].join('\n');
  const tools = '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n';
  await writeFile(join(dir, 'go.mod'), goMod);
  await writeFile(join(dir, 'tools.go'), tools);
}

async function step(log: (line: string) => void, what: string, fn: () => Promise<void>): Promise<void> {
  const started = Date.now();
  log(`kubernetes: ${what}…`);
  // A cold build of kube-apiserver prints nothing for minutes: say it is alive.
  const ticker = setInterval(
    () => log(`kubernetes: still at ${what} (${Math.round((Date.now() - started) / 1000)} s)`),
    30_000,
  );
  try {
    await fn();
  } finally {
    clearInterval(ticker);
  }
  log(`kubernetes: ${what} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** `go build -v` names each package it compiles on stderr; show a count every 200. */
function packageCounter(log: (line: string) => void, what: string): (line: string) => void {
  let count = 0;
  return () => {
    count += 1;
    if (count % 200 === 0) log(`kubernetes: ${what}: ${count} packages compiled`);
  };
}

function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onStderrLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        onStderrLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}
