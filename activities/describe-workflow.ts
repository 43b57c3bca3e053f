import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { InventoryEntry } from '../model/inventory.js';
import { isFinalStatus, RevisionStatusSchema, type RevisionStatus } from '../model/revision.js';
import type { DescribeWorkflowInput, WorkflowState } from './types.js';

const AppliedSchema = z.array(
  z.object({
    cluster: z.string(),
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
    revision: z.string(),
  }),
);

/**
 * What a revision run recorded in its memo as applied so far (`RevisionReports.progress`), or
 * undefined for runs that predate it. The memo is the run's own, so a malformed one is ignored
 * rather than failing the entity's request.
 */
export function memoApplied(memo: Record<string, unknown> | undefined): InventoryEntry[] | undefined {
  const parsed = AppliedSchema.safeParse(memo?.applied);
  return parsed.success ? parsed.data : undefined;
}

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
  const applied = memoApplied(description.memo);
  return { ...closedState(close, description.memo), ...(applied ? { applied } : {}) };
}

function closedState(close: string, memo: Record<string, unknown> | undefined): WorkflowState {
  const parsed = RevisionStatusSchema.safeParse(memo?.status);
  const memoStatus: RevisionStatus | undefined =
    parsed.success && isFinalStatus(parsed.data) ? parsed.data : undefined;
  const memoMessage = typeof memo?.message === 'string' ? memo.message : undefined;
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
