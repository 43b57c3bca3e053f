import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';

/** Failure types of the KubeVela built-in steps; each message says what to fix. */
export const StepFailureType = {
  /** What the step waits for is not there yet (retryable: the retry policy is the wait). */
  NotReady: 'NotReady',
  /** An HTTP endpoint answered with an error status or could not be reached. */
  HttpRequestFailed: 'HttpRequestFailed',
  /** A Secret named by `secretRef` (or its key) does not exist. */
  SecretNotFound: 'SecretNotFound',
  /** read-object: the object does not exist. */
  ObjectNotFound: 'ObjectNotFound',
  /** check-metrics without a metrics source. */
  NoMetricsSource: 'NoMetricsSource',
  /** notification email: Revela has no SMTP client. */
  EmailNotSupported: 'EmailNotSupported',
} as const;

/** A permanent failure: retrying cannot fix it. */
export function permanent(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** The normal "still waiting" answer of a waiting step: retried, kept out of failure metrics. */
export function notReady(message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: StepFailureType.NotReady,
    message,
    nonRetryable: false,
    category: ApplicationFailureCategory.BENIGN,
  });
}
