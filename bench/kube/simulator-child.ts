/**
 * The simulator in its own process for the benchmark, so client and server do not share one event
 * loop (as Revela and a real API server never do). Reports its kubeconfig over IPC and stops when
 * told to.
 */
import { startSimulator } from '../../cluster-sim/simulator.js';

const sim = await startSimulator({ clusters: [{ name: 'bench' }], rolloutDurationMs: 0 });
process.send?.({ kubeconfig: sim.kubeconfigText(), url: sim.clusters[0]?.url });
process.on('message', (message) => {
  if (message === 'stop') {
    void sim.stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  void sim.stop().then(() => process.exit(0));
});
