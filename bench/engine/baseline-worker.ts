import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { HEALTH_HEARTBEAT_THROTTLE_MS } from '../../activities/check-health.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { baselineActivities } from './baseline-activities.js';

/**
 * A worker process for the baseline workflows, started by the engine benchmark beside Revela's
 * worker process so both pay the same process and connection costs. It reaches the same clusters
 * as Revela's worker (`REVELA_KUBECONFIG`, `REVELA_CLUSTERS`).
 *   node dist/bench/engine/baseline-worker.js <address> <namespace> <taskQueue>
 */
const [address, namespace, taskQueue] = process.argv.slice(2);
if (!address || !namespace || !taskQueue) {
  process.stderr.write('usage: baseline-worker <address> <namespace> <taskQueue>\n');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('WARN') });
const registry = await ClusterRegistry.load({
  kubeconfigPath: process.env.REVELA_KUBECONFIG ?? '',
  ...(process.env.REVELA_CLUSTERS ? { clustersPath: process.env.REVELA_CLUSTERS } : {}),
});
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  namespace,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./baseline-workflows.js', import.meta.url)),
  activities: baselineActivities(registry),
  defaultHeartbeatThrottleInterval: HEALTH_HEARTBEAT_THROTTLE_MS,
});
process.stdout.write('baseline worker started\n');
await worker.run();
