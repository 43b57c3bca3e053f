import { CancellationScope, isCancellation } from '@temporalio/workflow';

/**
 * Runs `fn` over `items` with at most `limit` at a time, in a replay-stable order, and waits for
 * every lane to settle before it answers: a cancelled or failed lane never leaves a sibling's
 * write in flight behind the caller's back (docs/fencing.md). The first failure cancels the
 * siblings (their activities stop through heartbeats; `WAIT_CANCELLATION_COMPLETED` means their
 * promise settles only once they did), then rejects with it — a real failure before a
 * cancellation it caused.
 */
export async function settleAll<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const scope = new CancellationScope();
  const failures: unknown[] = [];
  let next = 0;
  await scope.run(async () => {
    const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && failures.length === 0) {
        const item = items[next++] as T;
        try {
          await fn(item);
        } catch (error) {
          failures.push(error);
          scope.cancel();
          return;
        }
      }
    });
    await Promise.allSettled(lanes);
  });
  const first = failures.find((f) => !isCancellation(f)) ?? failures[0];
  // Rethrown as caught: an ActivityFailure or CancelledFailure the caller tells apart.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (first !== undefined) throw first;
}

/**
 * 0.1.0's lanes, kept for histories recorded before lanes settled: the first failure answers at
 * once while siblings may still run.
 */
export async function firstFailureAll<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
