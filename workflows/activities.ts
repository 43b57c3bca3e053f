import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities.js';
import { REVELA_ERROR_TYPES } from '../model/errors.js';
import type { EngineSettings } from './messages.js';

type Activities = ReturnType<typeof createActivities>;

/**
 * Permanent failures: invalid input and Kubernetes errors retrying cannot fix. Everything else
 * (5xx, timeouts, a worker crash) is retried.
 */
const PERMANENT = [...REVELA_ERROR_TYPES, 'KubePermanent', 'InvalidRenderedObject'];

/** Pure computations (resolve, render, diff): quick, and a bug would fail the same way again. */
export const compute = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Writes to clusters. They heartbeat, so a superseding publish stops them, and
 * `WAIT_CANCELLATION_COMPLETED` means a cancelled revision has really stopped writing before the
 * next one starts.
 */
export const cluster = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '15s',
    maximumAttempts: 20,
    nonRetryableErrorTypes: PERMANENT,
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Operations on Temporal itself (terminate a revision that did not acknowledge cancellation). */
export const control = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});

/**
 * The health wait: one check per attempt, `NotHealthy` is retryable, and retries add no history
 * events — so waiting an hour costs nothing and the pending activity shows the latest reason.
 */
export function healthActivities(settings: EngineSettings) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: settings.healthIntervalMs,
      backoffCoefficient: 1.5,
      maximumInterval: settings.healthMaxIntervalMs,
      nonRetryableErrorTypes: PERMANENT,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}
