/**
 * The gRPC status codes Revela reacts to, by name, and the code of an error from the Temporal
 * service (the client's errors carry it on themselves or on a `cause`).
 */
export const GrpcStatus = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
} as const;

/** The gRPC status code of `err` or of the first error in its `cause` chain that has one. */
export function grpcCode(err: unknown): number | undefined {
  let e: unknown = err;
  while (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    e = e.cause;
  }
  return undefined;
}
