import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { InventoryEntry } from '../model/inventory.js';
import { memoApplied } from './describe-workflow.js';
import type { TerminateWorkflowInput } from './types.js';

/**
 * Terminates a revision run that did not acknowledge cancellation in time. Workflows cannot
 * terminate each other, so the entity asks an activity. A run that already closed is fine.
 *
 * @returns what the run recorded in its memo as applied (it sends no report once terminated), so
 *   the entity's inventory keeps those objects for a later garbage collection
 */
export async function terminateWorkflow(
  temporal: Client,
  input: TerminateWorkflowInput,
): Promise<{ applied?: InventoryEntry[] }> {
  const handle = temporal.workflow.getHandle(input.workflowId, input.runId);
  try {
    await handle.terminate(input.reason);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  try {
    const applied = memoApplied((await handle.describe()).memo);
    return applied ? { applied } : {};
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return {};
    throw err;
  }
}
