/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does: the
 * holder renews `renewTime` every `retryPeriodMs`; another replica takes the Lease over only once
 * `leaseDurationMs` passed without a renewal. Every write carries the `resourceVersion` read, so
 * of two replicas racing for an expired Lease exactly one wins (the other gets 409). Several
 * controller replicas are therefore safe: one syncs, the others wait.
 */
import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  readonly api: CoordinationV1Api;
  /** @default 'revela-controller' */
  readonly name?: string;
  /** @default 'revela-system' */
  readonly namespace?: string;
  /** This replica (`hostname-pid-random`). */
  readonly identity: string;
  /** A holder that has not renewed for this long has lost the Lease. @default 15000 */
  readonly leaseDurationMs?: number;
  /** How often to renew or try to acquire. @default 2000 */
  readonly retryPeriodMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * A MicroTime as the API server parses it (`2026-12-01T16:08:24.528000Z`). The client library
 * serializes a `Date` with milliseconds, which the server refuses for Lease times; a string passes
 * through unchanged.
 */
function microTime(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const iso = new Date(value).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return iso as unknown as Date;
}

/** The spec with every time as a MicroTime string (times read back arrive as `Date`s). */
function withMicroTimes(spec: NonNullable<V1Lease['spec']>): NonNullable<V1Lease['spec']> {
  const copy = { ...spec };
  const acquire = microTime(spec.acquireTime);
  const renew = microTime(spec.renewTime);
  if (acquire) copy.acquireTime = acquire;
  if (renew) copy.renewTime = renew;
  return copy;
}

const isConflict = (err: unknown) => err instanceof ApiException && (err.code === 409 || err.code === 404);
const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;

export class LeaderElection {
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly name: string;
  private readonly namespace: string;
  private readonly leaseDurationMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.name = options.name ?? 'revela-controller';
    this.namespace = options.namespace ?? 'revela-system';
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Resolves once this replica holds the Lease, then keeps renewing it; calls `onLost` (once) when
   * a renewal has not succeeded within the lease duration — the caller must stop syncing then.
   */
  async acquire(onLost: (reason: string) => void): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('leader election stopped');
      try {
        if (await this.tryAcquireOrRenew()) break;
      } catch (err) {
        this.options.log?.(`lease ${this.namespace}/${this.name}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, this.retryPeriodMs));
    }
    this.leading = true;
    this.lastRenew = Date.now();
    const renew = async (): Promise<void> => {
      if (this.stopped) return;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.options.log?.(`lease renewal failed: ${(err as Error).message}`);
      }
      if (ok) this.lastRenew = Date.now();
      // client-go's renewDeadline: give up before another replica may take over.
      if (!ok && Date.now() - this.lastRenew > this.leaseDurationMs * 0.8) {
        this.leading = false;
        onLost(`could not renew lease ${this.namespace}/${this.name} for ${Date.now() - this.lastRenew} ms`);
        return;
      }
      this.timer = setTimeout(() => void renew(), this.retryPeriodMs);
    };
    this.timer = setTimeout(() => void renew(), this.retryPeriodMs);
  }

  /** Stops renewing and, when leading, gives the Lease up so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.options.identity) return;
      lease.spec = withMicroTimes({ ...lease.spec, holderIdentity: undefined, renewTime: new Date(0) });
      await this.options.api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: lease,
      });
    } catch (err) {
      this.options.log?.(`lease release failed (it expires on its own): ${(err as Error).message}`);
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.options.api.readNamespacedLease({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One round: true when this replica holds the Lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const lease = await this.read();
    const durationSeconds = Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
    if (!lease) {
      try {
        await this.options.api.createNamespacedLease({
          namespace: this.namespace,
          body: {
            metadata: { name: this.name, namespace: this.namespace },
            spec: withMicroTimes({
              holderIdentity: this.options.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            }),
          },
        });
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.options.identity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired =
      !spec.holderIdentity || now.getTime() - renewed > (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (!mine && !expired) return false;
    lease.spec = withMicroTimes({
      ...spec,
      holderIdentity: this.options.identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    });
    try {
      // resourceVersion from the read: a concurrent writer makes this a 409, never two leaders.
      await this.options.api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: lease,
      });
      if (!mine) {
        this.options.log?.(
          `took lease ${this.namespace}/${this.name} over from ${spec.holderIdentity || '(released)'}, last renewed ${now.getTime() - renewed} ms ago`,
        );
      }
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
