import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { applicationWorkflowId } from '../../model/ids.js';

export interface RequestRestartInput {
  namespace: string;
  name: string;
  /** The revision whose restart-workflow step scheduled this. */
  revision: string;
}

/**
 * restart-workflow's due time came: restarts the application's workflow (`restart` update, as
 * `revela workflow restart` does) — unless another revision became current meanwhile, whose run
 * must not be replaced by the old revision's schedule.
 */
export async function requestRestart(temporal: Client, input: RequestRestartInput): Promise<string> {
  const handle = temporal.workflow.getHandle(applicationWorkflowId(input.namespace, input.name));
  let current: string | undefined;
  try {
    const status: { currentRevision?: { name?: string } } = await handle.query('status');
    current = status.currentRevision?.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `application ${input.namespace}/${input.name} is gone`;
    throw err;
  }
  if (current !== input.revision)
    return `not restarted: ${current ?? 'no revision'} is current now, not ${input.revision}`;
  const result: { message?: string } = await handle.executeUpdate('restart', { args: [{}] });
  return result.message ?? `restarted ${input.revision}`;
}
