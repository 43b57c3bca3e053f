/**
 * Errors of the fault-injecting proxy. Each names the proxy (its URL) and what was asked, so a
 * failing test says which cluster's proxy and which fault went wrong.
 */

/** A fault was configured with values the proxy cannot honour (a status of 200, a rate of 2). */
export class InvalidFaultError extends Error {
  override readonly name = 'InvalidFaultError';
  readonly type = 'InvalidFault';

  constructor(
    /** The setter that was called: `failWith`, `setLatency`, `hold`. */
    readonly fault: string,
    /** Every problem found, one phrase each. */
    readonly problems: readonly string[],
  ) {
    super(`invalid ${fault} fault: ${problems.join('; ')}`);
  }
}

/** No request matching a hold reached the proxy in time. */
export class HeldRequestTimeoutError extends Error {
  override readonly name = 'HeldRequestTimeoutError';
  readonly type = 'HeldRequestTimeout';

  constructor(
    readonly proxyUrl: string,
    /** `patch requests whose path contains "/deployments/podinfo"`. */
    readonly match: string,
    readonly timeoutMs: number,
    /** Which matching request was awaited (1 = the first). */
    readonly nth: number,
    /** The last requests the proxy saw, `PATCH /apis/…`, to show what came instead. */
    readonly recent: readonly string[],
  ) {
    const which = nth === 1 ? 'a request' : `request #${nth}`;
    const seen = recent.length > 0 ? `the proxy saw: ${recent.join(', ')}` : 'the proxy saw no requests';
    super(
      `${which} of ${match} did not reach the fault proxy at ${proxyUrl} within ${timeoutMs} ms (${seen})`,
    );
  }
}

/** The proxy was stopped while something still waited on it. */
export class FaultProxyStoppedError extends Error {
  override readonly name = 'FaultProxyStoppedError';
  readonly type = 'FaultProxyStopped';

  constructor(
    readonly proxyUrl: string,
    readonly waitingFor: string,
  ) {
    super(`the fault proxy at ${proxyUrl} was stopped while waiting for ${waitingFor}`);
  }
}

/** The proxy could not listen on its address (port taken, or taken again while refusing). */
export class FaultProxyListenError extends Error {
  override readonly name = 'FaultProxyListenError';
  readonly type = 'FaultProxyListen';

  constructor(
    readonly host: string,
    readonly port: number,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`the fault proxy cannot listen on ${host}:${port}: ${reason}`, options);
  }
}

/** A hold was released or dropped before the request a test waited for was caught. */
export class HoldEndedError extends Error {
  override readonly name = 'HoldEndedError';
  readonly type = 'HoldEnded';

  constructor(
    readonly proxyUrl: string,
    readonly match: string,
    readonly ending: 'released' | 'dropped',
    readonly nth: number,
    readonly caught: number,
  ) {
    super(
      `the hold of ${match} at ${proxyUrl} was ${ending} after catching ${caught} request(s), so request #${nth} will never be held`,
    );
  }
}
