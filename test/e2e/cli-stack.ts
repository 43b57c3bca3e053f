/**
 * The CLI as users run it — `node dist/cli/main.js` in a subprocess — against one test file's
 * stack (its own simulator clusters and worker on a unique task queue, the run's Temporal dev
 * server), plus golden-file comparison with the volatile parts of the output masked.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startTestStack, type TestStack, type TestStackOptions } from '../harness/stack.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const GOLDEN_DIR = join(ROOT, 'test/fixtures/cli');

/** Fails loudly when the build is missing: `npm test` builds first; a bare `vitest run` does not. */
export function assertBuilt(): void {
  if (!existsSync(CLI))
    throw new Error(`${CLI} does not exist: run \`npm run build\` first (npm test does it for you)`);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** @default 120 s */
  readonly timeoutMs?: number;
}

/** Runs `revela <args>` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `revela ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface CliStack {
  readonly stack: TestStack;
  /** Environment pointing the CLI at this stack (plain output, UTC times). */
  readonly env: NodeJS.ProcessEnv;
  /** A scratch directory for edited YAML files. */
  readonly dir: string;
  /** `revela <args>`; fails the test with both streams when the exit code is not `expectCode`. */
  run(args: readonly string[], options?: RunOptions & { expectCode?: number }): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function startCliStack(options: TestStackOptions = {}): Promise<CliStack> {
  assertBuilt();
  const stack = await startTestStack(options);
  const dir = await mkdtemp(join(tmpdir(), 'revela-cli-e2e-'));
  // The stack's own Temporal namespace, task queue and cluster files.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack.env,
    NO_COLOR: '1',
    TZ: 'UTC',
  };
  delete env.DEBUG;
  delete env.KUBECONFIG;
  return {
    stack,
    env,
    dir,
    async run(args, runOptions = {}) {
      const result = await runCli(args, { ...runOptions, env: { ...env, ...(runOptions.env ?? {}) } });
      const expected = runOptions.expectCode ?? 0;
      if (result.code !== expected) {
        throw new Error(
          `revela ${args.join(' ')} exited ${result.code} (expected ${expected})\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
        );
      }
      return result;
    },
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Masks what changes from run to run, keeping column widths: times become
 * `0000-00-00 00:00:00`, hashes `HASH000000000001`… numbered by first appearance (so equal hashes
 * stay equal), ages `<age>` and sizes `0.0 KiB`.
 */
export function normalizeOutput(text: string): string {
  const hashes = new Map<string, string>();
  return text
    .replace(/\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b/g, '0000-00-00 00:00:00')
    .replace(/\b[0-9a-f]{16}\b/g, (hash) => {
      let masked = hashes.get(hash);
      if (!masked) {
        masked = `HASH${String(hashes.size + 1).padStart(12, '0')}`;
        hashes.set(hash, masked);
      }
      return masked;
    })
    .replace(/\bAge: \S+/g, 'Age: <age>')
    .replace(/\b\d+(\.\d)? (B|KiB|MiB)\b/g, (_m, _d, unit: string) => `0.0 ${unit}`);
}

/** Compares normalized output with `test/fixtures/cli/<name>`; `UPDATE_GOLDEN=1` rewrites the file. */
export function expectGolden(name: string, output: string): void {
  const path = join(GOLDEN_DIR, name);
  const actual = normalizeOutput(output);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run --project integration test/e2e/, review it, commit it`,
    );
  }
  expect(actual, `output differs from golden file ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(path, 'utf8'),
  );
}
