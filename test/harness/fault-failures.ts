import { InvalidFaultError } from './fault-errors.js';
import { matchProblems, type RequestMatch } from './fault-match.js';

/**
 * Injected failures: which matching requests fail, and the Kubernetes `Status` they are answered
 * with. The choice is deterministic — every Nth request, or a seeded pseudo-random sequence for a
 * rate — so a test that injects failures sees the same requests fail on every run.
 */

/** Options of {@link FaultProxy.failWith}. */
export interface FailureOptions {
  /** HTTP status of the answer, 400–599. */
  readonly status: number;
  /** Share of matching requests that fail, 0..1, drawn from a sequence seeded by `seed`. */
  readonly rate?: number;
  /** Seed of the `rate` sequence: the same seed fails the same requests. @default 1 */
  readonly seed?: number;
  /** Fail exactly the Nth, 2Nth, … matching request (counted from this call). Not with `rate`. */
  readonly every?: number;
  /** Requests it applies to. @default every request */
  readonly match?: RequestMatch;
  /** `message` of the Status. @default `fault proxy: injected <status> for <verb> <path>` */
  readonly message?: string;
  /** `reason` of the Status. @default the apiserver's reason for the status (`Conflict`, …) */
  readonly reason?: string;
  /** Sent as `Retry-After` and as `details.retryAfterSeconds`, as the apiserver does for 429. */
  readonly retryAfterSeconds?: number;
}

/** The apiserver's `reason` for each status it answers with (k8s.io/apimachinery StatusReason). */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The `reason` the apiserver gives with `status` (5xx without one of its own: `InternalError`). */
export function statusReason(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
}

/** A Kubernetes `Status` failure body, as the apiserver writes it. */
export function statusBody(
  status: number,
  message: string,
  reason = statusReason(status),
  retryAfterSeconds?: number,
): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(retryAfterSeconds !== undefined ? { details: { retryAfterSeconds } } : {}),
    code: status,
  });
}

/**
 * splitmix32: a tiny generator with a good spread over 32 bits; the proxy needs repeatability,
 * not cryptographic quality.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

function failureProblems(options: FailureOptions): string[] {
  const problems = matchProblems(options.match);
  const { status, rate, every } = options;
  if (!(Number.isInteger(status) && status >= 400 && status <= 599))
    problems.push(`status must be an HTTP error status 400–599 (got ${String(status)})`);
  if (rate !== undefined && !(rate >= 0 && rate <= 1))
    problems.push(`rate must be between 0 and 1 (got ${String(rate)})`);
  if (every !== undefined && !(Number.isInteger(every) && every >= 1))
    problems.push(`every must be an integer ≥ 1 (got ${String(every)})`);
  if (rate !== undefined && every !== undefined) problems.push('give rate or every, not both');
  const retry = options.retryAfterSeconds;
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0))
    problems.push(`retryAfterSeconds must be an integer ≥ 0 (got ${String(retry)})`);
  return problems;
}

/** One active `failWith`: decides, request by request, whether a matching request fails. */
export class FailureRule {
  private readonly random: () => number;
  private seen = 0;
  /** Requests answered with the injected failure so far. */
  failed = 0;

  /** @throws {InvalidFaultError} naming every problem of `options` */
  constructor(readonly options: FailureOptions) {
    const problems = failureProblems(options);
    if (problems.length > 0) throw new InvalidFaultError('failWith', problems);
    this.random = seededRandom(options.seed ?? 1);
  }

  /** Call once per matching request: whether this one fails. */
  decide(): boolean {
    this.seen++;
    const { every, rate } = this.options;
    let fail: boolean;
    if (every !== undefined) fail = this.seen % every === 0;
    else if (rate !== undefined) fail = this.random() < rate;
    else fail = true;
    if (fail) this.failed++;
    return fail;
  }

  /** Status, headers and body of the failure answer for `verb path`. */
  answer(verb: string, path: string): { status: number; headers: Record<string, string>; body: string } {
    const { status, message, reason, retryAfterSeconds } = this.options;
    const text = message ?? `fault proxy: injected ${status} for ${verb} ${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    return { status, headers, body: statusBody(status, text, reason, retryAfterSeconds) };
  }
}
