import type { Connection } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { GrpcStatus } from '../client/grpc-status.js';

/** The Worker Deployment of a Revela installation; its versions are Revela's builds. */
export const DEFAULT_DEPLOYMENT_NAME = 'revela';

/**
 * How a worker takes part in Temporal Worker Versioning. Revisions are pinned to the build that
 * started them (they finish on the code they began with); the application and catalog entities
 * auto-upgrade to the current build and stay replay-compatible through `patched()`.
 */
export interface WorkerVersioning {
  /** `REVELA_WORKER_VERSIONING=off` polls unversioned (servers without Worker Deployments). */
  readonly enabled: boolean;
  readonly deploymentName: string;
  readonly buildId: string;
  /**
   * `auto`: once polling, make this build the deployment's current version unless the current
   * one is of a newer release (an old pod restarting while its runs drain never takes new work
   * back); `never`: the operator sets it (`temporal worker deployment set-current-version`).
   */
  readonly promote: 'auto' | 'never';
}

/**
 * The SDK's deployment options. Workflows that declare no behaviour — those 0.1.0's unversioned
 * workers started, which move to the current version — auto-upgrade: pinning them to whichever
 * build happened to be current would strand them there.
 */
export function workerDeploymentOptions(v: WorkerVersioning): WorkerOptions['workerDeploymentOptions'] {
  if (!v.enabled) return undefined;
  return {
    version: { deploymentName: v.deploymentName, buildId: v.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

/** `0.2.0-3f9a…` → [0, 2, 0]; undefined for a build id that names no release. */
export function releaseOf(buildId: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(buildId);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function newerRelease(a: string, b: string): boolean {
  const [x, y] = [releaseOf(a), releaseOf(b)];
  if (!x || !y) return false;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return false;
}

export type PromotionOutcome =
  | { readonly outcome: 'disabled' | 'left to the operator' | 'stopped' }
  | { readonly outcome: 'already current' | 'made current'; readonly previous?: string }
  | { readonly outcome: 'newer release is current'; readonly current: string };

export class WorkerVersioningError extends Error {
  override readonly name = 'WorkerVersioningError';
}

type WorkflowService = Pick<Connection | NativeConnection, 'workflowService'>['workflowService'];

/**
 * Makes this worker's build the deployment's current version (see {@link WorkerVersioning.promote}).
 * Call once the worker polls: the server creates a version when its first poller arrives, so
 * until then the version is unknown and the call retries, for at most `timeoutMs`.
 *
 * @throws WorkerVersioningError when the version never appears or the server refuses
 */
export async function promoteVersion(
  service: WorkflowService,
  namespace: string,
  v: WorkerVersioning,
  options: { identity: string; timeoutMs?: number },
): Promise<PromotionOutcome> {
  if (!v.enabled) return { outcome: 'disabled' };
  if (v.promote === 'never') return { outcome: 'left to the operator' };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { workerDeploymentInfo, conflictToken } = await service.describeWorkerDeployment({
        namespace,
        deploymentName: v.deploymentName,
      });
      const known = (workerDeploymentInfo?.versionSummaries ?? []).some(
        (s) => s.deploymentVersion?.buildId === v.buildId,
      );
      const current = workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
      if (current === v.buildId) return { outcome: 'already current' };
      if (current && newerRelease(current, v.buildId))
        return { outcome: 'newer release is current', current };
      if (known) {
        await service.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName: v.deploymentName,
          buildId: v.buildId,
          identity: options.identity,
          ...(conflictToken ? { conflictToken } : {}),
        });
        return { outcome: 'made current', ...(current ? { previous: current } : {}) };
      }
    } catch (err) {
      // NOT_FOUND: no poller registered the deployment yet; FAILED_PRECONDITION: another worker
      // changed the routing between our describe and set (the conflict token) — look again.
      const code = (err as { code?: number }).code;
      if (code !== GrpcStatus.NOT_FOUND && code !== GrpcStatus.FAILED_PRECONDITION) {
        throw new WorkerVersioningError(
          `cannot make ${v.deploymentName}/${v.buildId} the current version in namespace ${namespace}: ${
            (err as Error).message
          } — set REVELA_PROMOTE=never and run \`temporal worker deployment set-current-version\`, ` +
            'or REVELA_WORKER_VERSIONING=off on a server without Worker Deployments',
          { cause: err },
        );
      }
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new WorkerVersioningError(
    `version ${v.deploymentName}/${v.buildId} did not appear in namespace ${namespace} within ${
      options.timeoutMs ?? 30_000
    } ms${lastError ? ` (${(lastError as Error).message})` : ''}`,
    { cause: lastError },
  );
}
