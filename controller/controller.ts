/**
 * `revela controller`: Revela's Kubernetes front door. Once it holds the leader Lease it watches
 * Applications, Policies, Workflows and definitions in the hub cluster with informers and turns
 * every change into the `RevelaClient` operations the CLI uses; Temporal stays the only store of
 * what was applied and published. Applications are synced again every `resyncMs`, because a
 * revision's progress, a rollback or a publish through the CLI changes their status without any
 * Kubernetes event.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { makeInformer, type Informer, type ObjectCache } from '@kubernetes/client-node';
import type { RevelaClient } from '../client/revela-client.js';
import { SYSTEM_NAMESPACE } from '../model/ids.js';
import { reconcileApplication, type ReconcilerDeps } from './application-reconciler.js';
import { reconcileCatalogObject } from './catalog-reconciler.js';
import { EventRecorder } from './event-recorder.js';
import { Hub, type OamObject } from './hub.js';
import { LeaderElection } from './leader-election.js';
import { WorkQueue } from './work-queue.js';

/** Catalog kinds first: at start they are synced before the applications that use them. */
export const WATCHED_KINDS = [
  'ComponentDefinition',
  'TraitDefinition',
  'PolicyDefinition',
  'WorkflowStepDefinition',
  'Policy',
  'Workflow',
  'Application',
] as const;

export interface ControllerOptions {
  readonly hub: Hub;
  readonly client: RevelaClient;
  /** @default `hostname-pid-random` */
  readonly identity?: string;
  /** @default 'revela-system' */
  readonly leaseNamespace?: string;
  /** @default 15000 */
  readonly leaseDurationMs?: number;
  /** @default 2000 */
  readonly retryPeriodMs?: number;
  /** How often every Application's status is refreshed from Temporal. @default 5000 */
  readonly resyncMs?: number;
  /** Keys synced at once. @default 4 */
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
  /** Log every sync's start and end. @default false */
  readonly debug?: boolean;
}

type Watched = Informer<OamObject> & ObjectCache<OamObject>;

const keyOf = (o: OamObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

export class Controller {
  private readonly informers = new Map<string, Watched>();
  private readonly election: LeaderElection;
  private readonly queue: WorkQueue;
  private readonly deps: ReconcilerDeps;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lostResolve: ((reason: string) => void) | undefined;
  /** Resolves when leadership is lost (the process should exit and be restarted). */
  readonly lost: Promise<string>;
  readonly identity: string;

  constructor(private readonly options: ControllerOptions) {
    const log = options.log ?? ((m: string) => console.log(m));
    this.identity = options.identity ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.election = new LeaderElection({
      api: options.hub.coordination,
      identity: this.identity,
      ...(options.leaseNamespace ? { namespace: options.leaseNamespace } : {}),
      ...(options.leaseDurationMs ? { leaseDurationMs: options.leaseDurationMs } : {}),
      ...(options.retryPeriodMs ? { retryPeriodMs: options.retryPeriodMs } : {}),
      log,
    });
    const logged = new Map<string, string>();
    const logChange = (key: string, message: string) => {
      if (logged.get(key) === message) return;
      logged.set(key, message);
      log(message);
    };
    this.deps = {
      hub: options.hub,
      client: options.client,
      events: new EventRecorder(options.hub, log),
      log,
      logChange,
    };
    this.queue = new WorkQueue((key) => this.sync(key), {
      concurrency: options.concurrency ?? 4,
      onError: (key, err, attempt) =>
        log(`sync ${key} failed (attempt ${attempt}, retrying): ${(err as Error).message}`),
    });
    this.lost = new Promise((resolve) => (this.lostResolve = resolve));
  }

  private get log(): (message: string) => void {
    return this.deps.log;
  }

  /** Waits for the Lease, then watches and syncs until {@link stop} or until leadership is lost. */
  async start(): Promise<void> {
    this.log(
      `revela controller ${this.identity}: waiting for the leader lease on ${this.options.hub.server}`,
    );
    await this.election.acquire((reason) => {
      this.log(`leadership lost: ${reason}`);
      void this.stop().then(() => this.lostResolve?.(reason));
    });
    this.log(`revela controller ${this.identity}: leading; watching ${WATCHED_KINDS.join(', ')}`);
    for (const kind of WATCHED_KINDS) {
      const informer = makeInformer<OamObject>(this.options.hub.kubeConfig, Hub.watchPath(kind), () =>
        this.options.hub.list(kind),
      );
      const enqueue = (o: OamObject) => this.queue.add(keyOf({ ...o, kind }));
      informer.on('add', enqueue);
      informer.on('update', enqueue);
      informer.on('delete', enqueue);
      informer.on('error', (err: unknown) => {
        if (this.stopping) return;
        this.log(`watch of ${kind} failed, restarting in 2 s: ${(err as Error)?.message ?? String(err)}`);
        setTimeout(() => void (this.stopping ? undefined : informer.start().catch(() => undefined)), 2000);
      });
      this.informers.set(kind, informer);
      await informer.start();
    }
    this.log('revela controller started');
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs ?? 5000);
  }

  /** Stops syncing, then gives the Lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await Promise.all([...this.informers.values()].map((i) => i.stop().catch(() => undefined)));
    await this.queue.stop();
    await this.election.release();
  }

  private resync(): void {
    for (const o of this.informers.get('Application')?.list() ?? [])
      this.queue.add(keyOf({ ...o, kind: 'Application' }));
  }

  private async sync(key: string): Promise<void> {
    if (this.stopping) return;
    // A sync waits on Temporal and the clusters: say so when one takes long, instead of going quiet.
    const started = Date.now();
    if (this.options.debug) this.log(`sync ${key}: start`);
    const slow = setInterval(
      () => this.log(`sync ${key} still running after ${Math.round((Date.now() - started) / 1000)} s`),
      10_000,
    );
    try {
      await this.syncNow(key);
    } finally {
      clearInterval(slow);
      if (this.options.debug) this.log(`sync ${key}: done in ${Date.now() - started} ms`);
    }
  }

  private async syncNow(key: string): Promise<void> {
    const [kind = '', namespace = '', name = ''] = key.split('/');
    const object = this.informers.get(kind)?.get(name, namespace);
    if (!object) return;
    const typed = { ...object, kind } as OamObject;
    if (kind === 'Application') {
      await reconcileApplication(this.deps, typed);
      return;
    }
    const changed = await reconcileCatalogObject(this.deps, typed);
    if (!changed) return;
    // A definition, policy or workflow arrived or changed: applications waiting for it try again.
    for (const app of this.informers.get('Application')?.list() ?? []) {
      if (namespace === SYSTEM_NAMESPACE || app.metadata.namespace === namespace) {
        this.queue.add(keyOf({ ...app, kind: 'Application' }));
      }
    }
  }
}
