import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessMeter } from './processes.js';

/**
 * `BENCH_PROFILE=<dir>`: the entity-scale worker writes a CPU profile (`--cpu-prof`) of the whole
 * section and a heap snapshot once `BENCH_PROFILE_HEAP_AT` applications exist (default 1,000).
 * It runs with `TEMPORAL_DEBUG=1`, which runs workflow code on the main thread, so both include
 * the workflows (otherwise they run in a worker thread the snapshot does not cover).
 */
export function profileHooks(log: (line: string) => void) {
  const dir = process.env.BENCH_PROFILE;
  const heapAt = Number(process.env.BENCH_PROFILE_HEAP_AT ?? 1000);
  if (!dir) {
    return {
      workerEnv: {},
      nodeOptions: [] as string[],
      onCreated: (_w: ProcessMeter) => ({}),
      collect: () => Promise.resolve(),
    };
  }
  mkdirSync(dir, { recursive: true });
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
  return {
    workerEnv: { TEMPORAL_DEBUG: '1' },
    nodeOptions: [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--diagnostic-dir=${dir}`,
      '--heapsnapshot-signal=SIGUSR2',
    ],
    onCreated: (worker: ProcessMeter) => ({
      onCreated: {
        at: heapAt,
        fn: async () => {
          log(
            `profile: heap snapshot of the worker at ${heapAt} applications (RSS ${worker.rssMiB().toFixed(0)} MiB)`,
          );
          const before = snapshots().length;
          worker.child.kill('SIGUSR2');
          let size = -1;
          for (;;) {
            await new Promise((r) => setTimeout(r, 1000));
            const files = snapshots();
            if (files.length <= before) continue;
            const s = statSync(join(dir, files[files.length - 1]!)).size;
            if (s === size && s > 0) break;
            size = s;
          }
          log(`profile: heap snapshot written (${(size / 2 ** 20).toFixed(0)} MiB)`);
        },
      },
    }),
    collect: () => Promise.resolve(log(`profile: CPU profile and heap snapshot in ${dir}`)),
  };
}
