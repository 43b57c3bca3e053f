import { ApiException } from '@kubernetes/client-node';

/**
 * Errors of Kubernetes access. Every failure of a call to a cluster is classified once, here, into
 * a {@link KubeApiError} that says whether retrying can help — by HTTP status and error code only,
 * never by message text — so activities turn it into a retryable or non-retryable Temporal failure
 * without looking further.
 */

export type KubeErrorType = 'KubeRetryable' | 'KubePermanent';

/**
 * One cause of a Kubernetes `Status` failure (for an apply conflict: the field and its manager), as
 * metav1.StatusCause: `reason` (`FieldManagerConflict`, `FieldValueInvalid`, …), `message`, `field`.
 */
export interface KubeStatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface KubeErrorContext {
  /** Cluster name as the registry knows it. */
  readonly cluster: string;
  /** What Revela was doing: `apply`, `read`, `list`, `delete`, `watch`, `discover`. */
  readonly verb: string;
  /** `Deployment/podinfo`. */
  readonly object?: string;
  /** Server URL, named in connection errors. */
  readonly server?: string;
}

export interface KubeApiErrorFields extends KubeErrorContext {
  readonly retryable: boolean;
  readonly status?: number;
  readonly reason?: string;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly causes?: readonly KubeStatusCause[];
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly type: KubeErrorType;
  readonly cluster: string;
  readonly verb: string;
  readonly object?: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** The `reason` of the server's Status (`Conflict`, `NotFound`, `TooManyRequests`, …). */
  readonly reason?: string;
  readonly retryable: boolean;
  /** How long the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs?: number;
  /** Network error code (`ECONNREFUSED`, `ETIMEDOUT`, …) when the server did not answer. */
  readonly code?: string;
  /** Status causes; for an apply conflict, one per conflicting field with its manager. */
  readonly causes?: readonly KubeStatusCause[];

  constructor(message: string, fields: KubeApiErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.type = fields.retryable ? 'KubeRetryable' : 'KubePermanent';
    this.cluster = fields.cluster;
    this.verb = fields.verb;
    this.retryable = fields.retryable;
    if (fields.object !== undefined) this.object = fields.object;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.reason !== undefined) this.reason = fields.reason;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.causes !== undefined) this.causes = fields.causes;
  }
}

/** A cluster name the registry does not know. The message lists the ones it does. */
export class UnknownClusterError extends Error {
  override readonly name = 'UnknownClusterError';
  readonly type = 'UnknownCluster' as const;

  constructor(
    readonly cluster: string,
    readonly known: readonly string[],
  ) {
    super(
      known.length > 0
        ? `unknown cluster "${cluster}": known clusters are ${known.join(', ')} (add a context to the kubeconfig or an entry to clusters.yaml)`
        : `unknown cluster "${cluster}": no clusters are configured (set KUBECONFIG, or start the dev stack with \`npm start\`)`,
    );
  }
}

/** A kubeconfig or clusters.yaml that cannot be used; the message names the file and what is wrong. */
export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
  readonly type = 'ClusterConfig' as const;

  constructor(
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HTTP statuses worth retrying: the server or something in front of it is overloaded or restarting. */
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Network error codes worth retrying: the connection failed, not the request. */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const CODE_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'timed out',
  ESOCKETTIMEDOUT: 'timed out',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ABORT_ERR: 'request aborted',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the response ended',
  CERT_HAS_EXPIRED: 'server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed server certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'server certificate cannot be verified',
};

interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: KubeStatusCause[]; retryAfterSeconds?: number };
}

function parseStatus(body: unknown): StatusBody | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== 'object') return undefined;
  const status = value as Record<string, unknown>;
  return status.kind === 'Status' || typeof status.message === 'string' ? status : undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name)
      return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function retryAfterMs(headerValue: string | undefined, status: StatusBody | undefined): number | undefined {
  if (headerValue !== undefined) {
    const seconds = Number(headerValue);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(headerValue);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const seconds = status?.details?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}

function prefix(ctx: KubeErrorContext): string {
  return `${ctx.cluster}: ${ctx.verb}${ctx.object ? ` ${ctx.object}` : ''}`;
}

/** The first error code along an error's `cause` chain (fetch libraries wrap socket errors). */
function findCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; name?: unknown; type?: unknown; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    // node-fetch and DOM abort errors carry no code; their name says what happened.
    if (e.name === 'AbortError' || e.type === 'aborted') return 'ABORT_ERR';
    if (e.name === 'TimeoutError' || e.type === 'request-timeout' || e.type === 'body-timeout')
      return 'ETIMEDOUT';
    current = e.cause;
  }
  return undefined;
}

/** HTTP status carried by something other than ApiException (the Watch class throws `{statusCode}`). */
function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (err !== null && typeof err === 'object') {
    const statusCode = (err as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

/**
 * Classifies any failure of a call to a cluster.
 *
 * Retryable: 5xx, 429 (with Retry-After honoured), 408, timeouts and aborted requests, refused,
 * reset or broken connections, temporary DNS failures. Permanent: every other 4xx (400, 401, 403,
 * 404 of a kind or namespace, 409 apply or version conflict, 410, 415, 422) and errors that carry
 * neither a status nor a known network code (a bug or a bad configuration, which retrying hides).
 *
 * Message: `<cluster>: <verb> <Kind/name>: <server Status message> (HTTP <code> <reason>)`.
 */
export function classifyKubeError(err: unknown, ctx: KubeErrorContext): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const base = {
    cluster: ctx.cluster,
    verb: ctx.verb,
    ...(ctx.object !== undefined ? { object: ctx.object } : {}),
  };

  const status = statusOf(err);
  if (status !== undefined) {
    const body = parseStatus(err instanceof ApiException ? (err.body as unknown) : undefined);
    const reason = body?.reason ?? httpReason(status);
    const serverMessage =
      body?.message ??
      (err instanceof ApiException ? `the server answered ${status}` : (err as Error).message);
    const retryable = retryableStatus(status);
    const wait = retryable
      ? retryAfterMs(header(err instanceof ApiException ? err.headers : undefined, 'retry-after'), body)
      : undefined;
    return new KubeApiError(
      `${prefix(ctx)}: ${serverMessage} (HTTP ${status} ${reason})`,
      {
        ...base,
        retryable,
        status,
        reason,
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        ...(body?.details?.causes ? { causes: body.details.causes } : {}),
      },
      { cause: err },
    );
  }

  const code = findCode(err);
  if (code !== undefined) {
    const where = ctx.server ? ` (${ctx.server})` : '';
    return new KubeApiError(
      `${prefix(ctx)}: ${CODE_TEXT[code] ?? 'request failed'}${where} (${code})`,
      { ...base, retryable: RETRYABLE_CODES.has(code), code },
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KubeApiError(`${prefix(ctx)}: ${message}`, { ...base, retryable: false }, { cause: err });
}

/** Kubernetes' reason for a status when the body is not a Status (a proxy's HTML 502, say). */
function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    408: 'Timeout',
    409: 'Conflict',
    410: 'Gone',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    502: 'BadGateway',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[status] ?? (status >= 500 ? 'InternalError' : 'BadRequest');
}
