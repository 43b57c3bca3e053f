import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities.js';
import type { ActivityFailureType } from '../activities/types.js';
import { REVELA_ERROR_TYPES } from '../model/errors.js';
import type { EngineSettings } from './messages.js';

type Activities = ReturnType<typeof createActivities>;

/**
 * Permanent failures: invalid input and Kubernetes errors retrying cannot fix. Everything else
 * (5xx, timeouts, a worker crash) is retried.
 */
export const PERMANENT = [...REVELA_ERROR_TYPES, 'KubePermanent', 'InvalidRenderedObject'];

/** `resolveKeptSnapshot` cannot resolve alone (typed against the activities' own constant). */
export const RESOLVE_NEEDS_ACTIVITY: (typeof ActivityFailureType)['ResolveNeedsActivity'] =
  'ResolveNeedsActivity';

const computeOptions = (settings: EngineSettings) => ({
  startToCloseTimeout: settings.activityTimeoutMs,
  retry: {
    initialInterval: '500ms',
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: PERMANENT,
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Computations called from the entity's update handlers (resolve, render for rollback, diff).
 * They stay regular activities: `resolveSnapshot` queries the catalog workflows, and a query is
 * served by a workflow task slot of a worker. As a local activity it would hold its own workflow
 * task's slot while waiting for one — under load every slot waits and the worker stops polling
 * (seen in the throughput benchmark). `resolveKeptSnapshot` is the local exception: it never
 * queries (see activities/resolve-snapshot.ts). A bug would fail the same way again, so few attempts.
 */
export function computeActivities(settings: EngineSettings) {
  return proxyActivities<Activities>(computeOptions(settings));
}

/**
 * The same computations as local activities, for the revision workflow's render — it reads only
 * its input snapshot (no query, no I/O) — and the entity's `resolveKeptSnapshot`: no task queue
 * round trip, and one marker in history instead of three events.
 */
export function localComputeActivities(settings: EngineSettings) {
  return proxyLocalActivities<Activities>(computeOptions(settings));
}

/**
 * Writes to clusters. They heartbeat, so a superseding publish stops them and a dead worker is
 * noticed after `heartbeatTimeoutMs`; `WAIT_CANCELLATION_COMPLETED` means a cancelled revision
 * has really stopped writing before the next one starts. Retries are bounded: a cluster that
 * keeps failing fails the step with the server's message.
 */
export function clusterActivities(settings: EngineSettings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: settings.activityTimeoutMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '15s',
      maximumAttempts: 20,
      nonRetryableErrorTypes: PERMANENT,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/**
 * The health wait: one check per attempt, `NotHealthy` is retryable, and retries add no history
 * events — so waiting an hour costs nothing and the pending activity shows the latest reason.
 */
export function healthActivities(settings: EngineSettings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: settings.activityTimeoutMs,
    retry: {
      initialInterval: settings.healthIntervalMs,
      backoffCoefficient: 1.5,
      maximumInterval: settings.healthMaxIntervalMs,
      nonRetryableErrorTypes: PERMANENT,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** Operations on Temporal itself (terminate a revision that did not acknowledge cancellation). */
export const control = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});
