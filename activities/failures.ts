import { ApplicationFailure, Context } from '@temporalio/activity';
import { KubeApiError } from '../kube/errors.js';
import { isRevelaError } from '../model/errors.js';
import { ActivityFailureType } from './types.js';

/**
 * Translates Revela's typed errors into Temporal failures once, at the activity boundary:
 * invalid input and permanent Kubernetes errors fail fast with the server's message; retryable
 * Kubernetes errors are retried, after the server's Retry-After when it gave one.
 */
export function toFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (isRevelaError(err)) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: true,
      details: [{ object: err.object, path: err.path }],
      cause: err,
    });
  }
  if (err instanceof KubeApiError) {
    return ApplicationFailure.create({
      type: err.retryable ? ActivityFailureType.KubeRetryable : ActivityFailureType.KubePermanent,
      message: err.message,
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
      details: [{ cluster: err.cluster, status: err.status, reason: err.reason }],
    });
  }
  return err;
}

/**
 * Wraps an activity so every throw goes through `toFailure`. When the activity was cancelled
 * (a superseding publish), whatever the aborted request threw is reported as the cancellation
 * it is, not as a failure.
 */
export function translated<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      const signal = Context.current().cancellationSignal;
      if (signal.aborted) throw signal.reason;
      throw toFailure(err);
    }
  };
}
