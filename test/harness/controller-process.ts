import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled CLI; `npm test` builds it before the suite runs. */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ControllerProcess {
  readonly child: ChildProcess;
  /** Every line it printed so far. */
  readonly lines: string[];
  /** Resolves with the first line it printed that contains `text` (waiting for it); fails after `timeoutMs`. */
  waitForLine(text: string, timeoutMs?: number): Promise<string>;
  /** Kills with a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `revela controller` as a real process (so a test can SIGKILL it mid-scenario); resolves
 * once it logged "revela controller started" — it holds the Lease and its informers have listed.
 */
export async function startControllerProcess(
  env: Record<string, string>,
  args: string[],
  timeoutMs = 60_000,
): Promise<ControllerProcess> {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} does not exist: run \`npm run build\` first`);
  const child = spawn(process.execPath, [CLI_MAIN, 'controller', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts.filter((l) => l.trim() !== '')) {
      lines.push(line);
      for (const l of listeners) l(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitForLine = (text: string, ms = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const already = lines.find((l) => l.includes(text));
      if (already !== undefined) {
        resolve(already);
        return;
      }
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(
          new Error(`controller did not print "${text}" within ${ms} ms:\n${lines.slice(-60).join('\n')}`),
        );
      }, ms);
      const listener = (line: string) => {
        if (!line.includes(text)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
      void exited.then(() => {
        if (!listeners.has(listener)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        reject(
          new Error(
            `controller exited (${child.exitCode ?? child.signalCode}) before printing "${text}":\n${lines.join('\n')}`,
          ),
        );
      });
    });
  await waitForLine('revela controller started', timeoutMs);
  return {
    child,
    lines,
    waitForLine,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
