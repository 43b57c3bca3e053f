import type { Client } from '@temporalio/client';
import type { WaitingReasonsInput } from './types.js';

/**
 * Why a workflow is waiting: the last failure message of each of its pending activities (for a
 * health wait, `hangzhou1/examples/podinfo is not healthy: Ready:0/3`). A revision asks before a
 * step times out, so the step's final message says what it was waiting for.
 */
export async function waitingReasons(temporal: Client, input: WaitingReasonsInput): Promise<string[]> {
  const description = await temporal.workflow.getHandle(input.workflowId, input.runId).describe();
  return (description.raw.pendingActivities ?? [])
    .map((a) => a.lastFailure?.message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0);
}
