import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import type { HealthHeartbeat, WaitingReasonsInput } from './types.js';

/**
 * Why a workflow is waiting, per pending activity: what a health wait last heartbeated while it
 * looks again within an attempt, else the attempt's last failure message (for a health wait,
 * `hangzhou1/examples/podinfo is not healthy: Ready:0/3`). A revision asks before a step times
 * out, so the step's final message says what it was waiting for.
 */
export async function waitingReasons(temporal: Client, input: WaitingReasonsInput): Promise<string[]> {
  const description = await temporal.workflow.getHandle(input.workflowId, input.runId).describe();
  const reasons: string[] = [];
  for (const activity of description.raw.pendingActivities ?? []) {
    const beat = await heartbeatOf(temporal, activity.heartbeatDetails?.payloads);
    const reason = beat?.message ?? activity.lastFailure?.message;
    if (typeof reason === 'string' && reason.length > 0) reasons.push(reason);
  }
  return reasons;
}

/** A health wait's heartbeat, decoded; undefined for any other activity's or none. */
export async function heartbeatOf(
  temporal: Client,
  payloads: Parameters<typeof decodeFromPayloadsAtIndex>[2],
): Promise<HealthHeartbeat | undefined> {
  if (!payloads || payloads.length === 0) return undefined;
  let beat: Partial<HealthHeartbeat> | null;
  try {
    beat = await decodeFromPayloadsAtIndex(temporal.options.loadedDataConverter, 0, payloads);
  } catch {
    return undefined; // not ours to read (another codec): the last failure still says why
  }
  return beat && typeof beat.message === 'string' && typeof beat.details === 'object'
    ? (beat as HealthHeartbeat)
    : undefined;
}
