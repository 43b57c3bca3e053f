import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { grpcCode, GrpcStatus } from './grpc-status.js';

/**
 * gRPC codes after which a query is asked again: FAILED_PRECONDITION (the server has seen no
 * poller on the task queue lately), RESOURCE_EXHAUSTED (too many queries waiting on one workflow,
 * or the server's rate limits: a hundred publishes at once all read the same catalog) and
 * DEADLINE_EXCEEDED (the query waited on the queue of a worker that just stopped). The SDK's own
 * retry gives up on the last two after a few seconds.
 */
const TRANSIENT = new Set<number>([
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.DEADLINE_EXCEEDED,
]);

/**
 * Runs a query, retrying while the server reports no poller or is overloaded. An idle workflow
 * stays sticky to the worker that last ran it; when that worker died, the server answers "no
 * poller seen recently" for about ten seconds before it sends the query to another worker
 * (measured with server 1.29), and the SDK does not retry queries; on a loaded machine, during a
 * worker upgrade, it took longer than 15 s (seen in CI). A benchmark restarting its worker under
 * a hundred concurrent publishes ended on "Failed to query Workflow" without this. After
 * `timeoutMs` the last error is thrown, so a worker that is really gone is reported as such.
 */
export async function queryWithRetry<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  query: QueryDefinition<Ret, Args>,
  args: Args,
  timeoutMs = 30_000,
): Promise<Ret> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      return await handle.query(query, ...args);
    } catch (err) {
      const code = grpcCode(err);
      if (code === undefined || !TRANSIENT.has(code) || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
