import { ApplicationFailure, Context } from '@temporalio/activity';
import { fenceRefusal, withFence } from '../model/fence.js';
import type { KubeObject } from '../model/kube-object.js';

/** The failure type of a write refused by the fence: permanent, the writer was superseded. */
export const SUPERSEDED = 'Superseded';

/**
 * The fence of one writer (docs/fencing.md): the object to write, stamped with the writer's
 * fence, and the guard that refuses to write over an object a later writer holds. Without a fence
 * (a run started before fencing) the object is written as it is and nothing is refused.
 */
export function fenceFor(
  object: KubeObject,
  writer: { fence?: number; revision: string; cluster: string },
): { object: KubeObject; guard?: (live: KubeObject | undefined) => void } {
  const { fence } = writer;
  if (fence === undefined) return { object };
  return {
    object: withFence(object, fence),
    guard: (live) => {
      const refusal = fenceRefusal(live, { fence, revision: writer.revision });
      if (refusal) {
        throw ApplicationFailure.create({
          type: SUPERSEDED,
          message: `${writer.cluster}: ${refusal}`,
          nonRetryable: true,
          details: [{ cluster: writer.cluster, fence, revision: writer.revision }],
        });
      }
    },
  };
}

/**
 * Runs `fn` heartbeating all along — not once before it — so a cancellation (a superseding
 * publish, a rollback) reaches the activity while a request is in flight and aborts it through
 * `cancellationSignal`. Each Kubernetes request is bounded by the cluster client's request
 * timeout, shorter than the heartbeat timeout (see `model/engine-settings.ts`): a request ends
 * before the server gives up on the attempt and retries it elsewhere.
 */
export async function heartbeatingThroughout<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const heartbeatMs = ctx.info.heartbeatTimeoutMs ?? 0;
  ctx.heartbeat();
  if (heartbeatMs <= 0) return fn(ctx.cancellationSignal);
  // The SDK sends at most one heartbeat per 0.8 × timeout; beating more often costs nothing.
  const timer = setInterval(() => ctx.heartbeat(), Math.max(100, Math.floor(heartbeatMs / 4)));
  try {
    return await fn(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
