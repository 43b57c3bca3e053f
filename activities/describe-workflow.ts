import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isFinalStatus, RevisionStatusSchema, type RevisionStatus } from '../model/revision.js';
import type { DescribeWorkflowInput, WorkflowState } from './types.js';

/**
 * Whether a revision run is still open and, when it closed, how it ended: what the entity asks
 * when a run it stopped does not report (it was terminated from the Temporal UI, or its worker
 * lost it). The run's own last status in its memo wins over the close status when it has one.
 */
export async function describeWorkflow(
  temporal: Client,
  input: DescribeWorkflowInput,
): Promise<WorkflowState> {
  let description;
  try {
    description = await temporal.workflow.getHandle(input.workflowId, input.runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return { open: false, status: 'Terminated', message: `workflow ${input.workflowId} not found` };
    }
    throw err;
  }
  const close = description.status.name;
  if (close === 'RUNNING' || close === 'CONTINUED_AS_NEW')
    return { open: true, status: 'Executing', message: '' };
  const parsed = RevisionStatusSchema.safeParse(description.memo?.status);
  const memoStatus: RevisionStatus | undefined =
    parsed.success && isFinalStatus(parsed.data) ? parsed.data : undefined;
  const memoMessage = typeof description.memo?.message === 'string' ? description.memo.message : undefined;
  switch (close) {
    case 'COMPLETED':
      return { open: false, status: memoStatus ?? 'Succeeded', message: memoMessage ?? 'completed' };
    case 'CANCELLED':
      return { open: false, status: memoStatus ?? 'Terminated', message: memoMessage ?? 'cancelled' };
    case 'TERMINATED':
      return { open: false, status: 'Terminated', message: 'terminated outside Revela' };
    case 'TIMED_OUT':
      return { open: false, status: 'Failed', message: 'the run timed out' };
    default:
      return { open: false, status: 'Failed', message: memoMessage ?? `the run closed as ${close}` };
  }
}
