import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';

/** Base of every error `RevelaClient` throws; `code` is stable for programs, the message for people. */
export class RevelaClientError extends Error {
  override readonly name: string = 'RevelaClientError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The Temporal frontend could not be reached. */
export class TemporalUnreachableError extends RevelaClientError {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      'TemporalUnreachable',
      `cannot reach Temporal at ${address} — start the dev stack with \`npm start\`, or point TEMPORAL_ADDRESS (or --address) at your Temporal service`,
      { cause },
    );
  }
}

/** Nobody polls the task queue, so a request would wait forever. */
export class NoWorkerError extends RevelaClientError {
  override readonly name = 'NoWorkerError';
  constructor(
    readonly taskQueue: string,
    readonly address: string,
  ) {
    super(
      'NoWorker',
      `no worker is polling task queue "${taskQueue}" on ${address} — start one with \`npm start\` or \`revela worker\``,
    );
  }
}

/** The application (or revision) does not exist. */
export class NotFoundError extends RevelaClientError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

/**
 * Revela refused a request: invalid input (`InvalidParameters`, `UnknownDefinition`, …) or an
 * operation that does not fit the current state (`PublishVersionInUse`, `RevisionNotFound`,
 * `NoSucceededRevision`, …). Nothing was recorded or applied.
 */
export class RequestRejectedError extends RevelaClientError {
  override readonly name = 'RequestRejectedError';
  constructor(
    readonly type: string,
    message: string,
    readonly object?: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(type, message, options);
  }
}

/**
 * No answer within the request's deadline: no worker took the request (they are stopped, stuck or
 * overloaded), or the work takes longer. The request may still complete.
 */
export class DeadlineExceededError extends RevelaClientError {
  override readonly name = 'DeadlineExceededError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      'DeadlineExceeded',
      `${what}: no answer within ${Math.round(timeoutMs / 1000)} s — is a worker running and polling? (\`revela worker\` or \`npm start\`) The request may still complete: check with \`revela status\`, or allow longer with REVELA_REQUEST_TIMEOUT (e.g. 5m)`,
      options,
    );
  }
}

/** True for the SDK's ways of saying a call ran out of time. */
export function isDeadlineError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(e)) return true;
  }
  return false;
}

/** Finds the typed failure inside an SDK error chain. */
function innermostApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  let found: ApplicationFailure | undefined;
  while (e instanceof Error) {
    if (e instanceof ApplicationFailure) found = e;
    e = e.cause;
  }
  return found;
}

/**
 * Translates SDK errors into Revela's, once, at the boundary. Unknown errors pass through.
 */
export function translateError(err: unknown, context: { what: string }): unknown {
  if (err instanceof RevelaClientError) return err;
  if (err instanceof WorkflowNotFoundError) {
    return new NotFoundError(`${context.what} not found`, { cause: err });
  }
  const failure = innermostApplicationFailure(err);
  if (failure && (err instanceof WorkflowUpdateFailedError || err instanceof TemporalFailure)) {
    const details = (failure.details?.[0] ?? {}) as { object?: string; path?: string };
    return new RequestRejectedError(
      failure.type ?? 'Rejected',
      failure.message,
      details.object,
      details.path,
      {
        cause: err,
      },
    );
  }
  return err;
}
