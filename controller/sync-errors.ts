/**
 * Which failures of a sync are the object's fault — the same typed errors the CLI prints, shown
 * in `.status.conditions` and an Event, never retried until something changes — and which are
 * the system's (Temporal or the hub unreachable), retried with backoff.
 */
import { RequestRejectedError } from '../client/errors.js';
import { RevelaError } from '../model/errors.js';

export interface ObjectFault {
  /** The error's type: `UnknownDefinition`, `InvalidDocument`, `InvalidParameters`, … */
  readonly reason: string;
  readonly message: string;
}

/** The object's fault, or undefined for a failure a retry may fix. */
export function objectFault(err: unknown): ObjectFault | undefined {
  if (err instanceof RevelaError) return { reason: err.type, message: err.message };
  if (err instanceof RequestRejectedError) return { reason: err.type, message: err.message };
  return undefined;
}
