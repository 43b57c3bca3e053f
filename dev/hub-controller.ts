/**
 * The dev stack's Kubernetes front door: the `local` cluster is also the hub. Installs the
 * core.oam.dev CRDs, creates the Lease namespace and the examples' namespace (so `kubectl apply -f
 * examples/podinfo/` works as the README says), and runs `revela controller` in this process.
 */
import { RevelaClient } from '../client/revela-client.js';
import { Controller } from '../controller/controller.js';
import { Hub } from '../controller/hub.js';
import { installCrds } from '../controller/install-crds.js';
import { LOCAL_CLUSTER } from '../model/cluster-info.js';

export interface HubControllerOptions {
  readonly address: string;
  readonly kubeconfigPath: string;
  readonly clustersPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

/** Namespaces the hub needs: the Lease's, and the one the podinfo example uses. */
const HUB_NAMESPACES = ['revela-system', 'examples'];

/** Starts the controller once it leads; resolves to its stop function. */
export async function startHubController(options: HubControllerOptions): Promise<() => Promise<void>> {
  const hub = new Hub({ kubeconfigPath: options.kubeconfigPath, context: LOCAL_CLUSTER });
  for (const ns of HUB_NAMESPACES) await hub.objects.ensureNamespace(ns);
  await installCrds(hub);
  const client = await RevelaClient.connect({
    address: options.address,
    clusters: { kubeconfigPath: options.kubeconfigPath, clustersPath: options.clustersPath },
    env: options.env,
  });
  const controller = new Controller({
    hub,
    client,
    // A fresh dev stack has no other replica: after a Ctrl-C the next start should not wait long.
    leaseDurationMs: 5000,
    retryPeriodMs: 1000,
    resyncMs: 2000,
    log: (line) => options.log(`revela controller: ${line}`),
  });
  await controller.start();
  return async () => {
    await controller.stop();
    await client.close();
  };
}
