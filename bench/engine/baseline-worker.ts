import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { baselineActivities } from './baseline-activities.js';

/**
 * A worker process for the baseline workflows, started by the engine benchmark beside Revela's
 * worker process so both pay the same process and connection costs.
 *   node dist/bench/engine/baseline-worker.js <address> <namespace> <taskQueue>
 */
const [address, namespace, taskQueue] = process.argv.slice(2);
if (!address || !namespace || !taskQueue) {
  process.stderr.write('usage: baseline-worker <address> <namespace> <taskQueue>\n');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('WARN') });
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  namespace,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./baseline-workflows.js', import.meta.url)),
  activities: baselineActivities,
});
process.stdout.write('baseline worker started\n');
await worker.run();
