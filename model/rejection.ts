/**
 * Why a request to an application was refused. The model's rules throw a `Rejection`; the
 * workflows turn it into an `ApplicationFailure` of the same type and clients into a typed error
 * (`client/errors.ts`), so nobody matches on message text.
 *
 * Workflow-safe.
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
  /** A rollback whose applies or garbage collection failed; the clusters are between revisions. */
  RollbackFailed: 'RollbackFailed',
  /** A revision workflow could not be started; its number is used, nothing was applied. */
  StartFailed: 'StartFailed',
  /** The application was deleted: its entity takes no more requests (apply it again to recreate it). */
  ApplicationDeleted: 'ApplicationDeleted',
} as const;
export type RejectionType = (typeof RejectionType)[keyof typeof RejectionType];

/** A refused request: a documented `type` and a message that says what to do. */
export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(
    readonly type: RejectionType,
    message: string,
  ) {
    super(message);
  }
}
