import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';

/** What `/healthz` says about the code a worker runs. */
export interface HealthBuild {
  readonly deploymentName: string;
  readonly buildId: string;
  readonly versioning: boolean;
}

/**
 * `GET /healthz`: 200 while the worker polls, 503 otherwise — for Kubernetes liveness and
 * readiness probes — with the build id, so an operator can tell which pods serve which Worker
 * Deployment Version. Anything else is 404.
 */
export async function startHealthServer(
  worker: Worker,
  port: number,
  build?: HealthBuild,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/healthz' && req.url !== '/readyz')) {
      res.writeHead(404).end();
      return;
    }
    const state = worker.getState();
    const ok = state === 'RUNNING';
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: ok ? 'ok' : 'unavailable',
        worker: state,
        ...(build
          ? {
              buildId: build.buildId,
              deployment: build.versioning ? build.deploymentName : 'unversioned',
            }
          : {}),
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
