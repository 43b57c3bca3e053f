import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled worker entry point; `npm test` builds it before the suite runs. */
export const WORKER_MAIN = fileURLToPath(new URL('../../dist/worker/main.js', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Every log line so far (JSON objects from the worker's structured logger). */
  readonly lines: string[];
  /** Kills with a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node dist/worker/main.js` as a real process, so tests can SIGKILL it mid-step. Resolves
 * once it logged "revela worker started".
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<WorkerProcess> {
  if (!existsSync(WORKER_MAIN)) {
    throw new Error(`${WORKER_MAIN} does not exist: run \`npm run build\` first (npm test does)`);
  }
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, REVELA_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker did not start within ${timeoutMs} ms:\n${lines.join('\n')}`)),
      timeoutMs,
    );
    const poll = setInterval(() => {
      if (lines.some((l) => l.includes('revela worker started'))) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`worker exited with ${child.exitCode}:\n${lines.join('\n')}`));
      }
    }, 25);
  });
  return {
    child,
    lines,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
