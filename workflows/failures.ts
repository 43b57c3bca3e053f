import { ApplicationFailure } from '@temporalio/workflow';
import { Rejection, type RejectionType } from '../model/rejection.js';

/**
 * Types of the failures Revela's updates reject with (defined in `model/rejection.ts`, where the
 * history rules throw them). Clients translate them into typed errors once, at the boundary
 * (`client/errors.ts`); nobody matches on message text.
 */
export { RejectionType } from '../model/rejection.js';

/** A non-retryable failure of a documented type; updates reject with it, nothing is recorded. */
export function reject(type: RejectionType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A rule's {@link Rejection} as the update's rejection; anything else unchanged. */
export function asRejection(err: unknown): unknown {
  return err instanceof Rejection ? reject(err.type, err.message) : err;
}

/** Runs a history rule, rejecting the update with its typed refusal. */
export function rule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asRejection(err);
  }
}
