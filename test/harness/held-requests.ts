import { FaultProxyStoppedError, HeldRequestTimeoutError, HoldEndedError } from './fault-errors.js';
import { describeMatch, type KubeVerb, type RequestMatch } from './fault-match.js';

/**
 * Requests held by the fault proxy before they reach the apiserver, so a test can observe a write
 * that is "in flight" and then let it land late (or never). A held request is already past the
 * client: when its client gives up (a request timeout, a cancelled activity) it stays held, and
 * {@link HeldRequests.release} still delivers it — the way a write that left the client lands on
 * the apiserver regardless.
 */

/** A request caught by a hold: what the client sent. */
export interface HeldRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly verb: KubeVerb;
  /** The whole request body, UTF-8 (a JSON or YAML object for writes; empty for reads). */
  readonly body: string;
  /** When the proxy received it, ms since the epoch. */
  readonly timestamp: number;
}

/** What the proxy does with a held request once the hold lets go of it. */
export type HoldVerdict = 'forward' | 'drop';

interface Waiter {
  readonly nth: number;
  readonly resolve: (request: HeldRequest) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Pending {
  readonly request: HeldRequest;
  readonly settle: (verdict: HoldVerdict) => void;
}

/** Where a hold lives, for messages. */
export interface HoldContext {
  readonly proxyUrl: string;
  /** The proxy's last few requests, `PATCH /apis/…`. */
  readonly recent: () => string[];
}

/** The handle {@link FaultProxy.hold} returns: the requests it caught and how to let them go. */
export class HeldRequests {
  private readonly caught: HeldRequest[] = [];
  private readonly pending: Pending[] = [];
  private readonly waiters = new Set<Waiter>();
  private ending: 'released' | 'dropped' | 'stopped' | undefined;
  private catchingStopped = false;

  /** @internal Created by {@link FaultProxy.hold}. */
  constructor(
    readonly match: RequestMatch | undefined,
    private readonly context: HoldContext,
  ) {}

  /** Requests held right now (caught and neither released nor dropped). */
  get count(): number {
    return this.pending.length;
  }

  /** Every request this hold caught, in arrival order (released ones included). */
  get requests(): readonly HeldRequest[] {
    return [...this.caught];
  }

  /** Whether the hold still catches matching requests (false after release, drop, stop or {@link stopCatching}). */
  get active(): boolean {
    return this.ending === undefined && !this.catchingStopped;
  }

  /**
   * Stops catching: later matching requests pass straight through, while those already held stay
   * held until {@link release} or {@link drop} — so a test can hold an old write, let a newer
   * writer's request through, and then let the old one land late.
   */
  stopCatching(): void {
    this.catchingStopped = true;
  }

  /**
   * Resolves with the `nth` request this hold caught (1 = the first), at once when it already has.
   *
   * @throws {HeldRequestTimeoutError} when none came within `timeoutMs`, listing what the proxy saw
   * @throws {HoldEndedError} when the hold was released or dropped before catching it
   * @throws {FaultProxyStoppedError} when the proxy stops first
   * @example
   * const held = proxy.hold({ verbs: ['patch'], path: '/deployments/podinfo' });
   * const write = await held.waitForRequest(30_000);
   * expect(JSON.parse(write.body).spec.template.spec.containers[0].image).toBe('podinfo:6.0.2');
   */
  waitForRequest(timeoutMs = 10_000, nth = 1): Promise<HeldRequest> {
    const already = this.caught[nth - 1];
    if (already !== undefined) return Promise.resolve(already);
    const ended = this.endedError(nth);
    if (ended !== undefined) return Promise.reject(ended);
    return new Promise<HeldRequest>((resolve, reject) => {
      const waiter: Waiter = {
        nth,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const match = describeMatch(this.match);
          reject(
            new HeldRequestTimeoutError(this.context.proxyUrl, match, timeoutMs, nth, this.context.recent()),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Forwards every held request to the apiserver now, in arrival order, and ends the hold: later
   * matching requests pass straight through. A held request whose client has gone still lands.
   */
  release(): void {
    this.end('released', 'forward');
  }

  /**
   * Ends the hold by destroying the held requests' connections (their clients see a reset); they
   * never reach the apiserver. Later matching requests pass straight through.
   */
  drop(): void {
    this.end('dropped', 'drop');
  }

  /**
   * @internal The proxy hands over a matching request; the promise settles when the hold lets go.
   * Once the hold has ended, a request is forwarded at once (dropped once the proxy stopped).
   */
  admit(request: HeldRequest): Promise<HoldVerdict> {
    if (this.ending !== undefined) return Promise.resolve(this.ending === 'stopped' ? 'drop' : 'forward');
    this.caught.push(request);
    for (const waiter of this.waiters) {
      if (waiter.nth === this.caught.length) this.settleWaiter(waiter, () => waiter.resolve(request));
    }
    return new Promise<HoldVerdict>((settle) => this.pending.push({ request, settle }));
  }

  /** @internal The proxy stops: held requests are dropped and waiters rejected. */
  stop(): void {
    this.end('stopped', 'drop');
  }

  private end(ending: 'released' | 'dropped' | 'stopped', verdict: HoldVerdict): void {
    if (this.ending !== undefined) return;
    this.ending = ending;
    for (const { settle } of this.pending.splice(0)) settle(verdict);
    for (const waiter of this.waiters) {
      const error = this.endedError(waiter.nth);
      if (error !== undefined) this.settleWaiter(waiter, () => waiter.reject(error));
    }
  }

  private endedError(nth: number): Error | undefined {
    if (this.ending === undefined) return undefined;
    const match = describeMatch(this.match);
    if (this.ending === 'stopped')
      return new FaultProxyStoppedError(this.context.proxyUrl, `${match} to be held`);
    return new HoldEndedError(this.context.proxyUrl, match, this.ending, nth, this.caught.length);
  }

  private settleWaiter(waiter: Waiter, settle: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    settle();
  }
}
