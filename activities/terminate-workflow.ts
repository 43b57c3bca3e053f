import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TerminateWorkflowInput } from './types.js';

/**
 * Terminates a revision run that did not acknowledge cancellation in time. Workflows cannot
 * terminate each other, so the entity asks an activity. A run that already closed is fine.
 */
export async function terminateWorkflow(temporal: Client, input: TerminateWorkflowInput): Promise<void> {
  try {
    await temporal.workflow.getHandle(input.workflowId, input.runId).terminate(input.reason);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return;
    throw err;
  }
}
