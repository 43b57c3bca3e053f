/**
 * What `npm run demo` needs besides the steps: a stack to talk to (the running one, or a
 * throwaway embedded one), the `revela` CLI run as a user runs it with its output shown live,
 * and expectations that stop the demo with a clear message.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RevelaClient } from '../../client/revela-client.js';
import { startDevStack, type DevStack } from '../../dev/dev-stack.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** A failed expectation: the demo stops and exits 1 with this message. */
export class ExpectationError extends Error {
  override readonly name = 'ExpectationError';
}

/** Where the demo runs: the CLI's environment, a client for silent polling, the UI's address. */
export interface DemoTarget {
  readonly env: NodeJS.ProcessEnv;
  readonly client: RevelaClient;
  readonly uiUrl: string;
  readonly description: string;
  /** True for the throwaway stack the demo started itself. */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports. */
async function freePorts(count: number, from = 20_000 + Math.floor(Math.random() * 20_000)): Promise<number> {
  for (let base = from; base < 65_000; base += count) {
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error('no free ports for the embedded stack');
}

/**
 * The running stack (TEMPORAL_ADDRESS or localhost:7233 with a worker) when it has no podinfo
 * in namespace examples yet; otherwise a throwaway embedded stack on free ports (fresh real
 * clusters whose pods take 1.5 s to become Ready, so the `Ready:0/3` wait is visible).
 */
export async function chooseTarget(options: {
  embedded: boolean;
  log: (line: string) => void;
}): Promise<DemoTarget> {
  if (!options.embedded) {
    try {
      const client = await RevelaClient.connect({ connectTimeoutMs: 2000 });
      const fresh = await client.status({ name: 'podinfo', namespace: 'examples' }).then(
        () => false,
        () => true,
      );
      if (fresh) {
        return {
          env: { ...process.env },
          client,
          uiUrl: process.env.REVELA_DEMO_UI_URL ?? 'http://localhost:8233',
          description: `the running stack at ${client.address} (task queue "${client.taskQueue}")`,
          embedded: false,
          stop: () => client.close(),
        };
      }
      options.log(
        `podinfo already exists in namespace examples on ${client.address}; using a throwaway stack instead.`,
      );
      await client.close();
    } catch (err) {
      options.log(`no usable stack (${(err as Error).message.split(' — ')[0]}); starting a throwaway one.`);
    }
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'revela-demo-'));
  const [port, uiPort, codecPort] = [await freePorts(1), await freePorts(1), await freePorts(1)];
  const quietEnv: NodeJS.ProcessEnv = { ...process.env, REVELA_LOG_LEVEL: 'WARN' };
  delete quietEnv.TEMPORAL_ADDRESS;
  delete quietEnv.REVELA_TASK_QUEUE;
  let stack: DevStack;
  try {
    stack = await startDevStack({
      stateDir,
      port,
      uiPort,
      codecPort,
      podReadyDelayMs: 1500,
      // Throwaway clusters: removed with the stack.
      keepClusters: false,
      env: quietEnv,
      log: () => undefined,
    });
  } catch (err) {
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  const env: NodeJS.ProcessEnv = {
    ...quietEnv,
    TEMPORAL_ADDRESS: stack.address,
    REVELA_KUBECONFIG: stack.kubeconfigPath,
    REVELA_CLUSTERS: stack.clustersPath,
  };
  delete env.KUBECONFIG;
  const client = await connectWhenPolling(stack.address, env);
  return {
    env,
    client,
    uiUrl: stack.uiUrl,
    description: `a throwaway stack: Temporal ${stack.address}, UI ${stack.uiUrl}, three real clusters, worker`,
    embedded: true,
    async stop() {
      await client.close();
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** The embedded worker bundles its workflows first: wait until it polls. */
async function connectWhenPolling(address: string, env: NodeJS.ProcessEnv): Promise<RevelaClient> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await RevelaClient.connect({ address, env });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `revela <args>`, printing `$ revela …` and the output live, as a terminal would show it. */
export async function revela(
  target: DemoTarget,
  args: readonly string[],
  options: { quiet?: boolean; expectCode?: number } = {},
): Promise<CommandResult> {
  const out = (text: string) => {
    if (!options.quiet) process.stdout.write(text);
  };
  out(`\n$ revela ${args.map((a) => (/[\s"'$]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const result = await new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: target.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      out(c.toString());
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      out(c.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const expected = options.expectCode ?? 0;
  if (result.code !== expected) {
    throw new ExpectationError(
      `\`revela ${args.join(' ')}\` exited ${result.code}, expected ${expected}${result.stderr ? `: ${result.stderr.trim()}` : ''}`,
    );
  }
  return result;
}

/** Counts and reports expectations. */
export class Checks {
  passed = 0;

  /** Passes when `ok`; otherwise stops the demo with `what`. */
  that(ok: boolean, what: string): void {
    if (!ok) throw new ExpectationError(what);
    this.passed++;
    process.stdout.write(`  ✓ ${what}\n`);
  }

  contains(text: string, needle: string | RegExp, what: string): void {
    const ok = typeof needle === 'string' ? text.includes(needle) : needle.test(text);
    this.that(ok, what);
  }
}

/** Polls `check` every 250 ms until it returns a value; fails the demo after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new ExpectationError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function heading(text: string): void {
  process.stdout.write(`\n${'━'.repeat(100)}\n${text}\n${'━'.repeat(100)}\n`);
}
