/**
 * Kubernetes `Status` failures. Every error the simulator answers with is one of these, so clients
 * (the Node client, kubectl, Revela's error classification) see exactly what a real API server sends.
 */

export interface StatusCause {
  readonly type?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The reason Kubernetes pairs with each status code the simulator uses. */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonForStatus(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}

export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: number,
    message: string,
    options: { reason?: string; details?: StatusDetails; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.reason = options.reason ?? reasonForStatus(code);
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `deployments.apps "podinfo"` — how the API server names an object in messages. */
export function qualifiedName(plural: string, group: string, name: string): string {
  return `${group ? `${plural}.${group}` : plural} "${name}"`;
}

export function notFound(plural: string, group: string, name: string): StatusError {
  return new StatusError(404, `${qualifiedName(plural, group, name)} not found`, {
    details: { name, group, kind: plural },
  });
}

export function alreadyExists(plural: string, group: string, name: string): StatusError {
  return new StatusError(409, `${qualifiedName(plural, group, name)} already exists`, {
    reason: 'AlreadyExists',
    details: { name, group, kind: plural },
  });
}

export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: readonly { field: string; message: string; type?: string }[],
): StatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(422, `${qualifiedKind} "${name}" is invalid: ${list}`, {
    details: {
      name,
      group,
      kind,
      causes: causes.map((c) => ({
        type: c.type ?? 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    },
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, message);
}
