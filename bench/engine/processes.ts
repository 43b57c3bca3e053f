import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A worker process and what the kernel says it cost. */
export class ProcessMeter {
  private startTicks = 0;
  private startedAt = 0;
  constructor(readonly child: ChildProcess) {}

  private ticks(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]);
  }

  private status(key: 'VmHWM' | 'VmRSS'): number {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${this.child.pid}/status`, 'utf8'),
    );
    return Number(m?.[1] ?? 0) * 1024;
  }

  /** Current resident memory in MiB. */
  rssMiB(): number {
    return this.status('VmRSS') / 2 ** 20;
  }

  begin(): void {
    this.startTicks = this.ticks();
    this.startedAt = performance.now();
  }

  /** CPU used since `begin` as a share of one core, and peak/current RSS in MiB. */
  end(): { cpuCores: number; peakRssMiB: number; rssMiB: number } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    // Clock ticks are 1/100 s on Linux.
    const cpuSeconds = (this.ticks() - this.startTicks) / 100;
    return {
      cpuCores: cpuSeconds / seconds,
      peakRssMiB: this.status('VmHWM') / 2 ** 20,
      rssMiB: this.status('VmRSS') / 2 ** 20,
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Starts `node <args>` and resolves once it printed `marker`. */
export async function spawnReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  marker: string,
  nodeOptions: string[] = [],
): Promise<ProcessMeter> {
  const child = spawn(process.execPath, [...nodeOptions, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args[0]} did not print "${marker}" within 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}:\n${output}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return new ProcessMeter(child);
}

/** Runs `fn` over 0..n-1 with at most `limit` in flight. */
export async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
