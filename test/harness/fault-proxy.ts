import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultProxyListenError, InvalidFaultError } from './fault-errors.js';
import { FailureRule, type FailureOptions } from './fault-failures.js';
import {
  describeMatch,
  kubeVerb,
  matchesRequest,
  matchProblems,
  type KubeVerb,
  type RequestMatch,
} from './fault-match.js';
import { HeldRequests } from './held-requests.js';
import { readBody, relay, type RelayTarget } from './proxy-relay.js';

/**
 * A fault-injecting HTTPS reverse proxy in front of one real kube-apiserver, for tests: clients
 * talk to the proxy exactly as to the apiserver (same CA, same token), and a test adds latency,
 * answers requests with a Kubernetes `Status` failure, partitions the cluster, or holds a write in
 * flight until it chooses to let it land. Every fault selects requests by Kubernetes verb and path
 * ({@link RequestMatch}); watches stream through.
 */

export type { FailureOptions } from './fault-failures.js';
export type { KubeVerb, RequestMatch } from './fault-match.js';
export type { HeldRequest, HeldRequests } from './held-requests.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The apiserver, `https://127.0.0.1:6443`. */
  readonly target: string;
  /** CA that signed the apiserver's serving certificate. @default the certificate is not verified (loopback test target) */
  readonly targetCa?: Buffer | string;
  /** Client certificate presented to the apiserver, for clusters whose users authenticate by certificate. @default none (clients' bearer tokens are forwarded) */
  readonly targetClientCert?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** Serving certificate and key of the proxy: one the clients' CA trusts, for instance the apiserver's own. */
  readonly tls: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port; reopening after a partition reuses the one chosen) */
  readonly port?: number;
}

/** One request as the proxy saw it, for assertions. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly verb: KubeVerb;
  /** Arrival, ms since the epoch. */
  readonly timestamp: number;
  /** Status the client got (a watch: when its stream opened); undefined while pending or when dropped. */
  readonly status: number | undefined;
  /**
   * `pending` (delayed, held or in flight before the target answered), `forwarded` (sent to the
   * target), `failed` (answered by `failWith`), `dropped` (connection destroyed, never forwarded).
   */
  readonly outcome: 'pending' | 'forwarded' | 'failed' | 'dropped';
  /** Whether a hold caught it (it may have been released since). */
  readonly held: boolean;
}

type Entry = { -readonly [K in keyof ProxiedRequest]: ProxiedRequest[K] };

interface LatencyRule {
  readonly ms: number;
  readonly match: RequestMatch | undefined;
}

/**
 * Starts a proxy in front of `options.target` and resolves once it listens.
 *
 * @throws {FaultProxyListenError} when the address is taken
 * @example
 * const proxy = await startFaultProxy({ target: 'https://127.0.0.1:6443', targetCa: ca, tls: { cert, key } });
 * proxy.failWith({ status: 500, every: 2, match: { verbs: ['patch'] } });
 * // point the cluster's kubeconfig at proxy.url
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxy(options);
  await proxy.listen();
  return proxy;
}

/** A running proxy and its faults. Every setter applies to requests arriving after it. */
export class FaultProxy {
  private readonly target: RelayTarget;
  private readonly host: string;
  private listenPort: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly stopping = new AbortController();
  private readonly log: Entry[] = [];
  private latency: LatencyRule | undefined;
  private failure: FailureRule | undefined;
  private holds: HeldRequests[] = [];
  private refusing = false;

  /** @internal Use {@link startFaultProxy}. */
  constructor(private readonly options: FaultProxyOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.listenPort = options.port ?? 0;
    const agent = new Agent({
      keepAlive: true,
      ...(options.targetCa !== undefined ? { ca: options.targetCa } : { rejectUnauthorized: false }),
      ...(options.targetClientCert ?? {}),
    });
    this.target = { url: new URL(options.target), agent, inFlight: new Set<ClientRequest>() };
  }

  /** `https://127.0.0.1:<port>`: the server URL to put in the kubeconfig. */
  get url(): string {
    return `https://${this.host}:${this.listenPort}`;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Every request so far, in arrival order (a snapshot). */
  get requests(): readonly ProxiedRequest[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** The logged requests `match` selects. */
  requestsMatching(match: RequestMatch): ProxiedRequest[] {
    return this.log.filter((entry) => matchesRequest(match, entry)).map((entry) => ({ ...entry }));
  }

  /**
   * Delays matching requests by `ms` before anything else happens to them (0 removes the delay).
   * Replaces the previous latency.
   *
   * @throws {InvalidFaultError} for a negative or non-finite delay or an unknown verb
   */
  setLatency(ms: number, match?: RequestMatch): void {
    const problems = matchProblems(match);
    if (!(Number.isFinite(ms) && ms >= 0))
      problems.push(`ms must be a finite number ≥ 0 (got ${String(ms)})`);
    if (problems.length > 0) throw new InvalidFaultError('setLatency', problems);
    this.latency = ms > 0 ? { ms, match } : undefined;
  }

  /**
   * Answers matching requests with a Kubernetes `Status` failure instead of forwarding them (all
   * of them, every Nth, or a seeded share). Replaces the previous failure; checked after the
   * latency and before holds, so a failed request is never held.
   *
   * @throws {InvalidFaultError} naming every bad option
   */
  failWith(options: FailureOptions): void {
    this.failure = new FailureRule(options);
  }

  /** Requests answered by the current `failWith` so far (0 without one). */
  get injectedFailures(): number {
    return this.failure?.failed ?? 0;
  }

  /**
   * Holds matching requests before they reach the apiserver until the handle releases or drops
   * them. Holds add up; a request is caught by the first active one that matches.
   *
   * @throws {InvalidFaultError} for an unknown verb
   * @example
   * const held = proxy.hold({ verbs: ['patch'], path: '/deployments/podinfo' });
   * await held.waitForRequest(30_000); // the write is in flight
   * // … supersede or roll back …
   * held.release(); // the write lands late
   */
  hold(match: RequestMatch): HeldRequests {
    const problems = matchProblems(match);
    if (problems.length > 0) throw new InvalidFaultError('hold', problems);
    const held = new HeldRequests(match, { proxyUrl: this.url, recent: () => this.recent() });
    this.holds.push(held);
    return held;
  }

  /**
   * Partitions the cluster (`true`): the listener closes at once, so new connections are refused
   * (ECONNREFUSED), and open connections are destroyed (ECONNRESET), watches included. Held
   * requests stay held. `false` listens again on the same port; await it before the next request.
   *
   * @throws {FaultProxyListenError} when the port was taken meanwhile
   */
  async refuseConnections(refuse: boolean): Promise<void> {
    if (refuse === this.refusing || this.stopping.signal.aborted) return;
    this.refusing = refuse;
    if (refuse) {
      await this.closeListener();
    } else {
      await this.listen();
    }
  }

  /** Removes every fault: no latency, no failures, no partition; held requests are released. */
  async clear(): Promise<void> {
    this.latency = undefined;
    this.failure = undefined;
    for (const held of this.holds.splice(0)) held.release();
    await this.refuseConnections(false);
  }

  /** Closes the proxy: connections, watches and upstream requests are destroyed, held requests dropped. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    for (const held of this.holds.splice(0)) held.stop();
    await this.closeListener();
    for (const upstream of this.target.inFlight) upstream.destroy();
    this.target.agent.destroy();
  }

  /** @internal Listens on the configured (later: the first chosen) port. */
  async listen(): Promise<void> {
    const server = createServer({ cert: this.options.tls.cert, key: this.options.tls.key }, (req, res) =>
      this.handle(req, res),
    );
    // Held requests and watches outlive Node's default request timeout.
    server.requestTimeout = 0;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new FaultProxyListenError(this.host, this.listenPort, { cause })),
      );
      server.listen(this.listenPort, this.host, () => resolve());
    });
    const address = server.address();
    if (address !== null && typeof address === 'object') this.listenPort = address.port;
    this.server = server;
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private recent(): string[] {
    return this.log.slice(-8).map((entry) => `${entry.method} ${entry.path}`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const entry: Entry = {
      method,
      path,
      verb: kubeVerb(method, path),
      timestamp: Date.now(),
      status: undefined,
      outcome: 'pending',
      held: false,
    };
    this.log.push(entry);
    this.process(req, res, entry).catch((error: unknown) => {
      // Only the proxy stopping interrupts a delay; anything else is a bug worth seeing.
      if (!this.stopping.signal.aborted) throw error;
      entry.outcome = 'dropped';
      res.destroy();
    });
  }

  private async process(req: IncomingMessage, res: ServerResponse, entry: Entry): Promise<void> {
    const latency = this.latency;
    if (latency !== undefined && matchesRequest(latency.match, entry)) {
      await delay(latency.ms, undefined, { signal: this.stopping.signal });
      // A client that gave up while delayed never got its request onto the wire.
      if (res.destroyed) {
        entry.outcome = 'dropped';
        return;
      }
    }
    const failure = this.failure;
    if (failure !== undefined && matchesRequest(failure.options.match, entry) && failure.decide()) {
      const answer = failure.answer(entry.verb, entry.path);
      entry.outcome = 'failed';
      entry.status = answer.status;
      req.resume();
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const hold = this.holds.find((h) => h.active && matchesRequest(h.match, entry));
    if (hold === undefined) {
      if (res.destroyed) entry.outcome = 'dropped';
      else this.forward(req, res, entry, undefined);
      return;
    }
    entry.held = true;
    const body = await readBody(req);
    if (body === undefined) {
      // The client left before sending its whole body: there is no request to hold.
      entry.outcome = 'dropped';
      return;
    }
    const { method, path, verb, timestamp } = entry;
    const verdict = await hold.admit({ method, path, verb, timestamp, body: body.toString('utf8') });
    if (verdict === 'drop') {
      entry.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    this.forward(req, res, entry, body);
  }

  private forward(req: IncomingMessage, res: ServerResponse, entry: Entry, body: Buffer | undefined): void {
    entry.outcome = 'forwarded';
    relay(req, res, this.target, body, (status) => (entry.status = status));
  }

  /** `FaultProxy https://127.0.0.1:PORT → https://target`, for test output. */
  toString(): string {
    const holds = this.holds.filter((h) => h.active).map((h) => describeMatch(h.match));
    return `FaultProxy ${this.url} → ${this.target.url.origin}${holds.length ? ` holding ${holds.join(', ')}` : ''}`;
  }
}
