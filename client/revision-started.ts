/**
 * What the client waits for after a publish is answered. The entity answers in the workflow task
 * that requests the revision workflow's start (issue 13), a few milliseconds before the server has
 * created it; the client returns once it exists, so the caller may open the workflow at once, as
 * before. When the start fails the entity records the revision as `Failed` ("did not start: …")
 * in its memo, and the client reports that as the `StartFailed` rejection the entity gave before.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { RevisionMetadata } from '../model/revision.js';
import type { PublishedRevision } from '../workflows/messages.js';
import { RequestRejectedError } from './errors.js';
import { grpcCode, GrpcStatus } from './grpc-status.js';

const RUNNING = proto.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

/**
 * Between looks: a start normally lands within some milliseconds (the first looks come 2 ms
 * apart), a loaded server takes longer (then twice as long each time, up to 50 ms).
 */
const SHORT_PAUSE_MS = 2;
const SHORT_LOOKS = 5;
const LONGEST_PAUSE_MS = 50;
/** The entity's memo is read every this many looks (and at the deadline), not at every one. */
const MEMO_EVERY = 4;
/**
 * A run found closed counts as this publish's when it started at most this long before the request
 * (clock skew between client and server); an older one is a run of an earlier incarnation of the
 * application whose revision had the same number.
 */
const CLOSED_RUN_SLACK_MS = 60_000;

export interface RevisionStartWait {
  readonly temporal: Client;
  /** The application's entity workflow. */
  readonly entity: WorkflowHandle;
  readonly published: PublishedRevision;
  /** When the publish was sent (client clock). */
  readonly requestedAt: number;
  readonly timeoutMs: number;
}

/**
 * Resolves once the revision workflow of `published` exists.
 *
 * @throws RequestRejectedError `StartFailed` when the entity recorded that it did not start, or
 *   `Timeout` when it neither started nor failed within `timeoutMs`
 */
export async function untilRevisionStarted(wait: RevisionStartWait): Promise<void> {
  const { published } = wait;
  const deadline = Date.now() + wait.timeoutMs;
  let pause = SHORT_PAUSE_MS;
  for (let look = 1; ; look++) {
    if (await started(wait)) return;
    const late = Date.now() > deadline;
    if (look % MEMO_EVERY === 0 || late) {
      const failed = await startFailure(wait.entity, published.revision);
      if (failed !== undefined)
        throw new RequestRejectedError('StartFailed', `${published.revision} ${failed}`);
    }
    if (late) {
      throw new RequestRejectedError(
        'Timeout',
        `${published.revision} was published but its workflow ${published.workflowId} did not start within ${wait.timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    if (look >= SHORT_LOOKS) pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}

/**
 * Whether a run of the revision's workflow started by this publish's entity exists. By the
 * service's describe: the handle's also decodes the memo and search attributes, at every look.
 */
async function started(wait: RevisionStartWait): Promise<boolean> {
  const { temporal, published, entity } = wait;
  let info;
  try {
    ({ workflowExecutionInfo: info } = await temporal.workflowService.describeWorkflowExecution({
      namespace: temporal.options.namespace,
      execution: { workflowId: published.workflowId },
    }));
  } catch (err) {
    if (grpcCode(err) === GrpcStatus.NOT_FOUND) return false;
    throw err;
  }
  // A workflow of that id started by anything else (it is why the start would fail) is not it.
  if (info?.parentExecution?.workflowId !== entity.workflowId) return false;
  return (
    info.status === RUNNING || (optionalTsToMs(info.startTime) ?? 0) >= wait.requestedAt - CLOSED_RUN_SLACK_MS
  );
}

/** "did not start: …" when the entity's memo says the revision failed to start. */
async function startFailure(entity: WorkflowHandle, revision: string): Promise<string | undefined> {
  const { memo } = await entity.describe();
  const revisions = Array.isArray(memo?.revisions) ? (memo.revisions as RevisionMetadata[]) : [];
  const meta = revisions.find((r) => r.name === revision);
  return meta?.status === 'Failed' && meta.description?.startsWith('did not start')
    ? meta.description
    : undefined;
}
