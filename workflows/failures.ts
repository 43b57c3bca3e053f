import { ApplicationFailure } from '@temporalio/workflow';

/**
 * Types of the failures Revela's updates reject with. Clients translate them into typed errors
 * once, at the boundary (`client/errors.ts`); nobody matches on message text.
 */
export const RejectionType = {
  /** The request's application does not belong to this entity (name or namespace differ). */
  NameMismatch: 'NameMismatch',
  /** A publishVersion equal to the current revision's. */
  PublishVersionInUse: 'PublishVersionInUse',
  /** Publishing without a draft or `fromRevision`. */
  NoDraft: 'NoDraft',
  RevisionNotFound: 'RevisionNotFound',
  /** Rollback target is not a succeeded revision, or no succeeded revision exists. */
  NoSucceededRevision: 'NoSucceededRevision',
  /** An operation that needs a running revision found none. */
  RevisionNotRunning: 'RevisionNotRunning',
  StepNotFound: 'StepNotFound',
  /** Invalid arguments to an update (shape checked by the validator). */
  InvalidRequest: 'InvalidRequest',
} as const;
export type RejectionType = (typeof RejectionType)[keyof typeof RejectionType];

/** A non-retryable failure of a documented type; updates reject with it, nothing is recorded. */
export function reject(type: RejectionType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
