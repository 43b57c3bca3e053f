import { ApplicationFailure, Context } from '@temporalio/activity';
import { StepFailureType } from './step-failures.js';

/** Bounded below the heartbeat timeout, like every Kubernetes request (docs/fencing.md). */
export const HTTP_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  statusCode: number;
  body: string;
  header: Record<string, string>;
}

/**
 * One HTTP request from an activity, aborted when the activity is cancelled or after
 * {@link HTTP_TIMEOUT_MS}. An answer of 400 or more fails: 5xx and 429 retryably, others
 * permanently (the request itself is wrong); an unreachable endpoint is retried.
 */
export async function httpCall(
  what: string,
  url: string,
  init: { method: string; body?: string; header?: Record<string, string> },
): Promise<HttpAnswer> {
  const signal = AbortSignal.any([
    Context.current().cancellationSignal,
    AbortSignal.timeout(HTTP_TIMEOUT_MS),
  ]);
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: init.header ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal,
    });
  } catch (err) {
    if (Context.current().cancellationSignal.aborted) throw err;
    throw ApplicationFailure.create({
      type: StepFailureType.HttpRequestFailed,
      message: `${what}: ${init.method} ${redact(url)} failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
      nonRetryable: false,
    });
  }
  const body = await response.text();
  if (response.status >= 400) {
    throw ApplicationFailure.create({
      type: StepFailureType.HttpRequestFailed,
      message: `${what}: ${init.method} ${redact(url)} answered ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`,
      nonRetryable: !(response.status >= 500 || response.status === 429),
    });
  }
  const header: Record<string, string> = {};
  response.headers.forEach((value, key) => (header[key] = value));
  return { statusCode: response.status, body, header };
}

/** Webhook URLs carry their token in the path or query: messages show only scheme, host and port. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}

/** JSON when the body is JSON, the text otherwise. */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
