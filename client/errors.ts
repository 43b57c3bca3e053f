import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';

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
