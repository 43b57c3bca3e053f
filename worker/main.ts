#!/usr/bin/env node
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { runWorker } from './run-worker.js';

/** `node dist/worker/main.js`: the worker process, configured from the environment only. */
try {
  await runWorker({ config: loadWorkerConfig(process.env) });
} catch (err) {
  process.stderr.write(
    `revela worker: ${err instanceof WorkerConfigError ? err.message : String((err as Error).stack ?? err)}\n`,
  );
  process.exit(1);
}
