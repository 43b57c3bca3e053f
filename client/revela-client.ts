import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
// A CommonJS package whose exports Node's ESM loader cannot list: use its default export.
import proto from '@temporalio/proto';

const { temporal } = proto;
import type { NotHealthyDetails } from '../activities/types.js';
import { heartbeatOf } from '../activities/waiting-reasons.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { StateKeepView } from '../workflows/state-keep-messages.js';
import { liveHealth, type HealthSource } from './live-health.js';
import type { Application } from '../model/application.js';
import { emptyCatalog } from '../model/catalog-view.js';
import type { ClusterInfo } from '../model/cluster-info.js';
import type { RevelaDocument } from '../model/document.js';
import {
  applicationWorkflowId,
  catalogWorkflowId,
  revisionWorkflowId,
  SYSTEM_NAMESPACE,
} from '../model/ids.js';
import { parseDuration } from '../model/duration.js';
import { isFinalStatus, type RevisionMetadata, type RevisionStatus } from '../model/revision.js';
import type { application as applicationWorkflow } from '../workflows/application.js';
import type { catalog as catalogWorkflow } from '../workflows/catalog.js';
import {
  applyUpdate,
  catalogApplyUpdate,
  catalogDeleteUpdate,
  catalogQuery,
  publishUpdate,
  restartUpdate,
  resumeUpdate,
  revisionQuery,
  revisionsQuery,
  revisionStatusQuery,
  rollbackUpdate,
  statusQuery,
  suspendUpdate,
  terminateUpdate,
  type ApplicationStatus,
  type CatalogChange,
  type CatalogDocument,
  type ComponentHealth,
  type EngineSettings,
  type OperationResult,
  type PublishedRevision,
  type RevisionDetail,
  type RevisionRunStatus,
  type RollbackResult,
} from '../workflows/messages.js';
import { DEFAULT_TASK_QUEUE } from '../workflows/task-queue.js';
import { loadConnectionConfig } from './connection-config.js';
import { decodeEncryptionKey, revelaDataConverter } from './data-converter.js';
import { deleteApplication, type DeleteOutcome } from './delete-application.js';
import { ClientDiffs } from './diffs.js';
import { preflight } from './preflight.js';
import { queryWithRetry } from './query-retry.js';
import { untilRevisionStarted } from './revision-started.js';
import { unreachableReason } from './tcp-probe.js';
import {
  DeadlineExceededError,
  isDeadlineError,
  NoWorkerError,
  NotFoundError,
  RequestRejectedError,
  TemporalUnreachableError,
  translateError,
} from './errors.js';

/** Options of {@link RevelaClient.connect}. */
export interface RevelaClientOptions {
  /** Temporal frontend `host:port`. @default `TEMPORAL_ADDRESS`, the profile file, or `localhost:7233` */
  readonly address?: string;
  /** Temporal namespace (not the application's). @default `TEMPORAL_NAMESPACE` or `default` */
  readonly temporalNamespace?: string;
  /** @default `REVELA_TASK_QUEUE` or `revela` */
  readonly taskQueue?: string;
  /** AES-256-GCM key shared with the workers. @default `REVELA_ENCRYPTION_KEY` */
  readonly encryption?: { readonly key: Buffer; readonly keyId: string };
  /** Engine tunables for applications this client creates. @default the engine's defaults */
  readonly engine?: Partial<EngineSettings>;
  /** Cluster registry files, for `listClusters`, rendered diffs and the resource tree. @default `REVELA_KUBECONFIG`/`KUBECONFIG` and `REVELA_CLUSTERS` */
  readonly clusters?: { readonly kubeconfigPath?: string; readonly clustersPath?: string };
  /** Fail at connect when no worker polls the task queue. @default true */
  readonly requireWorker?: boolean;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * Deadline of one operation (an update, query or describe, with the SDK's own retries): past it
   * the call fails with {@link DeadlineExceededError} instead of waiting for a worker that does
   * not answer. @default `REVELA_REQUEST_TIMEOUT` (a duration such as `90s`) or 2 minutes
   */
  readonly requestTimeoutMs?: number;
  /** Environment to read defaults from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** An application by name; `namespace` is the application's (Kubernetes) namespace. */
export interface AppRef {
  readonly name: string;
  /** @default "default" */
  readonly namespace?: string;
}

/** What `apply` did with one document. */
export interface ApplyOutcome {
  readonly kind: RevelaDocument['kind'];
  readonly namespace: string;
  readonly name: string;
  /** `created`, `configured`, `unchanged` for catalog objects; `published` or `saved` for applications. */
  readonly result: CatalogChange['change'] | 'published' | 'saved';
  readonly message: string;
  readonly revision?: PublishedRevision;
}

/** Everything `revela status` shows. */
export interface ApplicationStatusView {
  readonly app: ApplicationStatus;
  /** The current revision's run (steps, health); absent before the first publish. */
  readonly run?: RevisionRunStatus;
  /** Per component and cluster: the run's last health, overridden by what a waiting step reports now. */
  readonly services: ComponentHealth[];
  /** Why a step waits, from the pending health check (`hangzhou1/examples/podinfo is not healthy: Ready:0/3`). */
  readonly waiting: string[];
  /** Where `services` comes from: live from the clusters once the run finished (see `client/live-health.ts`). */
  readonly healthSource?: HealthSource;
  /** The application's state keep: its last check and repairs. */
  readonly stateKeep?: StateKeepView;
}

export interface WaitOptions {
  /** Stop when the revision reaches one of these. @default every final status */
  readonly until?: readonly RevisionStatus[];
  /** @default 5 minutes */
  readonly timeoutMs?: number;
  /** @default 500 */
  readonly pollMs?: number;
  /** Called on every poll with the current view. */
  readonly onProgress?: (view: ApplicationStatusView) => void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

const FINAL: readonly RevisionStatus[] = ['Succeeded', 'Failed', 'Terminated', 'RolledBack'];

function appNamespace(ref: AppRef): string {
  return ref.namespace ?? 'default';
}

/**
 * The programmatic API of Revela: apply KubeVela-style documents, publish versions, roll back,
 * and inspect revisions — everything the `revela` CLI does.
 *
 * @example
 * ```ts
 * import { RevelaClient, loadDocuments } from 'revela';
 *
 * const revela = await RevelaClient.connect({ address: 'localhost:7233' });
 * await revela.apply(await loadDocuments('examples/podinfo'));
 * const v = await revela.publish({ name: 'podinfo', namespace: 'examples', publishVersion: 'alpha2' });
 * await revela.waitForRevision({ name: 'podinfo', namespace: 'examples' }, v.revision);
 * await revela.close();
 * ```
 */
export class RevelaClient {
  /** Diffs of drafts, snapshots and rendered resources. */
  readonly diffs: ClientDiffs;
  private registryPromise: Promise<ClusterRegistry> | undefined;

  private constructor(
    /** The underlying Temporal client, for anything Revela does not wrap. */
    readonly temporal: Client,
    private readonly connection: Connection,
    readonly address: string,
    readonly taskQueue: string,
    private readonly options: RevelaClientOptions,
  ) {
    this.diffs = new ClientDiffs(this);
  }

  /**
   * Connects to Temporal and, unless `requireWorker: false`, checks that a worker polls the task
   * queue — so a request never waits silently for a worker that is not there.
   *
   * @throws TemporalUnreachableError when the frontend does not answer
   * @throws NoWorkerError when no worker polls the task queue
   * @example
   * ```ts
   * const revela = await RevelaClient.connect({ address: 'temporal.example.com:7233', temporalNamespace: 'delivery' });
   * ```
   */
  static async connect(options: RevelaClientOptions = {}): Promise<RevelaClient> {
    const env = options.env ?? process.env;
    const config = loadConnectionConfig({
      env,
      ...(options.address ? { address: options.address } : {}),
      ...(options.temporalNamespace ? { namespace: options.temporalNamespace } : {}),
    });
    const refused = await unreachableReason(config.address);
    if (refused) throw new TemporalUnreachableError(config.address, new Error(refused));
    let connection: Connection;
    try {
      connection = await Connection.connect({
        address: config.address,
        connectTimeout: options.connectTimeoutMs ?? 5000,
        ...(config.connectionOptions.tls !== undefined ? { tls: config.connectionOptions.tls } : {}),
        ...(config.connectionOptions.apiKey !== undefined ? { apiKey: config.connectionOptions.apiKey } : {}),
        ...(config.connectionOptions.metadata ? { metadata: config.connectionOptions.metadata } : {}),
      });
      await connection.workflowService.getSystemInfo({});
    } catch (err) {
      throw new TemporalUnreachableError(config.address, err);
    }
    const encryption =
      options.encryption ??
      (env.REVELA_ENCRYPTION_KEY
        ? {
            key: decodeEncryptionKey(env.REVELA_ENCRYPTION_KEY),
            keyId: env.REVELA_ENCRYPTION_KEY_ID ?? 'default',
          }
        : undefined);
    const client = new Client({
      connection,
      namespace: config.namespace,
      dataConverter: revelaDataConverter(encryption),
    });
    const taskQueue = options.taskQueue ?? env.REVELA_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
    const revela = new RevelaClient(client, connection, config.address, taskQueue, { ...options, env });
    if (options.requireWorker ?? true) {
      try {
        await revela.assertWorker();
      } catch (err) {
        await connection.close();
        throw err;
      }
    }
    return revela;
  }

  /**
   * Closes the connection.
   *
   * @example
   * ```ts
   * await revela.close();
   * ```
   */
  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Throws {@link NoWorkerError} when no worker has polled the task queue recently.
   *
   * @example
   * ```ts
   * await revela.assertWorker(); // before a long batch of publishes
   * ```
   */
  async assertWorker(): Promise<void> {
    const res = await this.temporal.workflowService.describeTaskQueue({
      namespace: this.temporal.options.namespace,
      taskQueue: { name: this.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if ((res.pollers ?? []).length === 0) throw new NoWorkerError(this.taskQueue, this.address);
  }

  // -------------------------------------------------------------------------------------------
  // Documents and publishing

  /**
   * Applies documents like `kubectl apply`: policies, workflows and definitions go to their
   * namespace's catalog (first), applications to their entity. An application with a new
   * publishVersion — or, without one, with changed content — publishes a revision; an edit under
   * the current publishVersion only saves the draft.
   *
   * @throws RequestRejectedError (e.g. `InvalidParameters`, `UnknownDefinition`) — nothing is recorded
   * @example
   * ```ts
   * const docs = parseYamlDocuments(readFileSync('app.yaml', 'utf8'), 'app.yaml');
   * for (const o of await revela.apply(docs)) console.log(o.kind, o.name, o.message);
   * ```
   */
  async apply(documents: readonly RevelaDocument[]): Promise<ApplyOutcome[]> {
    await preflight(this.temporal, documents, await this.optionalRegistry());
    const outcomes: ApplyOutcome[] = [];
    const byNamespace = new Map<string, CatalogDocument[]>();
    const apps: Application[] = [];
    for (const doc of documents) {
      if (doc.kind === 'Application') apps.push(doc);
      else {
        const ns = doc.metadata.namespace ?? 'default';
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), doc]);
      }
    }
    for (const [namespace, docs] of byNamespace) {
      const changes = await this.catalogApply(namespace, docs);
      for (const c of changes) {
        outcomes.push({
          kind: c.kind as RevelaDocument['kind'],
          namespace,
          name: c.name,
          result: c.change,
          message: `${c.kind} ${namespace}/${c.name} ${c.change}`,
        });
      }
    }
    for (const app of apps) {
      const ref = { name: app.metadata.name, namespace: app.metadata.namespace ?? 'default' };
      const requestedAt = Date.now();
      const result = await this.withEntity(ref, applyUpdate, { application: app, requestId: randomUUID() });
      if (result.revision) await this.untilStarted(ref, result.revision, requestedAt);
      outcomes.push({
        kind: 'Application',
        namespace: appNamespace(ref),
        name: ref.name,
        result: result.published ? 'published' : 'saved',
        message: result.message,
        ...(result.revision ? { revision: result.revision } : {}),
      });
    }
    return outcomes;
  }

  /**
   * Publishes under a new publishVersion: the given application, the saved draft, or — with
   * `fromRevision` — a copy of a retained revision (same hash, next number). A running revision
   * is superseded before the new one applies anything.
   *
   * @throws RequestRejectedError `PublishVersionInUse` when `publishVersion` is the current one
   * @example
   * ```ts
   * // vela up podinfo --revision podinfo-v1 --publish-version beta1
   * const r = await revela.publish({ name: 'podinfo', namespace: 'examples', publishVersion: 'beta1', fromRevision: 'podinfo-v1' });
   * console.log(r.revision, r.hash);
   * ```
   */
  async publish(
    request: (AppRef | { app: Application }) & {
      publishVersion: string;
      fromRevision?: string;
      requestId?: string;
    },
  ): Promise<PublishedRevision> {
    const ref: AppRef =
      'app' in request
        ? { name: request.app.metadata.name, namespace: request.app.metadata.namespace ?? 'default' }
        : request;
    const arg = {
      publishVersion: request.publishVersion,
      ...('app' in request ? { application: request.app } : {}),
      ...(request.fromRevision ? { fromRevision: request.fromRevision } : {}),
      requestId: request.requestId ?? randomUUID(),
    };
    const requestedAt = Date.now();
    let published: PublishedRevision | undefined;
    if ('app' in request) {
      // A running entity resolves and checks the application itself (the same pipeline as the
      // preflight) and records nothing when it refuses, so the preflight only guards creating one.
      const answered = await this.updateRunningEntity(ref, publishUpdate, arg);
      if (answered.running) published = answered.result;
      else await preflight(this.temporal, [request.app], await this.optionalRegistry());
    }
    published ??= await this.withEntity(ref, publishUpdate, arg);
    await this.untilStarted(ref, published, requestedAt);
    return published;
  }

  /** Until the workflow of a revision just published exists (see `revision-started.ts`). */
  private async untilStarted(ref: AppRef, published: PublishedRevision, requestedAt: number): Promise<void> {
    await this.call(`revision ${published.revision}`, () =>
      untilRevisionStarted({
        temporal: this.temporal,
        entity: this.entity(ref),
        published,
        requestedAt,
        timeoutMs: this.requestTimeoutMs,
      }),
    );
  }

  /**
   * Returns the clusters to a succeeded revision (the latest by default) without running any
   * step; works while a revision runs. With `dryRun`, only returns the rendered diff.
   *
   * @throws RequestRejectedError `NoSucceededRevision` or `RevisionNotFound`
   * @example
   * ```ts
   * const plan = await revela.rollback({ name: 'podinfo', namespace: 'examples', dryRun: true });
   * console.log(plan.diff);
   * await revela.rollback({ name: 'podinfo', namespace: 'examples', to: plan.to });
   * ```
   */
  async rollback(
    request: AppRef & { to?: string; dryRun?: boolean; requestId?: string },
  ): Promise<RollbackResult> {
    const requestId = request.requestId ?? randomUUID();
    return this.call(`application ${appNamespace(request)}/${request.name}`, () =>
      this.entity(request).executeUpdate(rollbackUpdate, {
        // A retry with the same request id joins the running rollback instead of starting another.
        updateId: requestId,
        args: [
          {
            ...(request.to ? { to: request.to } : {}),
            ...(request.dryRun ? { dryRun: true } : {}),
            requestId,
          },
        ],
      }),
    );
  }

  /**
   * Deletes the application: stops its running revision, collects every object it owns from the
   * clusters and ends its entity. Idempotent: `found: false` when there is nothing to delete.
   *
   * @example
   * ```ts
   * const { message } = await revela.delete({ name: 'podinfo', namespace: 'examples' });
   * ```
   */
  async delete(ref: AppRef & { requestId?: string }): Promise<DeleteOutcome> {
    return deleteApplication(this, ref);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection

  /**
   * The application's status: phase, current revision, its steps and per-cluster health,
   * including why a step is waiting right now.
   *
   * @throws NotFoundError when the application was never applied
   * @example
   * ```ts
   * const s = await revela.status({ name: 'podinfo', namespace: 'examples' });
   * console.log(s.app.phase, s.waiting.join('\n'));
   * ```
   */
  async status(ref: AppRef): Promise<ApplicationStatusView> {
    // One deadline for the whole view: the entity's query, the run's describe and its query.
    return this.call(`application ${appNamespace(ref)}/${ref.name}`, () => this.statusView(ref));
  }

  private async statusView(ref: AppRef): Promise<ApplicationStatusView> {
    const app = await this.call(`application ${appNamespace(ref)}/${ref.name}`, () =>
      queryWithRetry(this.entity(ref), statusQuery, []),
    );
    const current = app.currentRevision;
    if (!current) return { app, services: [], waiting: [] };
    const handle = this.temporal.workflow.getHandle(current.workflowId);
    const description = await handle.describe().catch(() => undefined);
    const [run, pending] = await Promise.all([
      this.runStatus(handle, description),
      this.pendingHealth(description),
    ]);
    const services = new Map<string, ComponentHealth>();
    for (const h of run?.health ?? []) services.set(`${h.cluster}/${h.namespace}/${h.component}`, h);
    for (const p of pending.details) {
      for (const h of p.health) services.set(`${h.cluster}/${h.namespace}/${h.component}`, h);
    }
    // Once the run has finished, what it recorded is history: the clusters say what is true now.
    const live = FINAL.includes(current.status)
      ? await liveHealth({
          temporal: this.temporal,
          namespace: app.namespace,
          app: app.name,
          revision: current.name,
          snapshot: async () => (await this.getRevision(ref, current.name)).snapshot,
          registry: () => this.clusterRegistry(),
        })
      : undefined;
    const shown = live && live.source.kind !== 'run' ? live.services : [...services.values()];
    const unhealthy = live !== undefined && live.source.kind !== 'run' && shown.some((s) => !s.healthy);
    return {
      app: unhealthy && app.phase === 'running' ? { ...app, phase: 'unhealthy' } : app,
      ...(run ? { run } : {}),
      services: [...shown].sort((a, b) =>
        `${a.component}/${a.cluster}`.localeCompare(`${b.component}/${b.cluster}`),
      ),
      waiting: pending.messages,
      healthSource: live?.source ?? { kind: 'run' },
      ...(live?.stateKeep ? { stateKeep: live.stateKeep } : {}),
    };
  }

  /**
   * Retained revisions, oldest first (`revela revision list`).
   *
   * @example
   * ```ts
   * for (const r of await revela.listRevisions({ name: 'podinfo', namespace: 'examples' })) console.log(r.name, r.status);
   * ```
   */
  async listRevisions(ref: AppRef): Promise<RevisionMetadata[]> {
    return this.call(`application ${appNamespace(ref)}/${ref.name}`, async () => {
      // The entity keeps its revision index in its memo: a describe answers without a worker.
      const { memo } = await this.entity(ref).describe();
      const revisions = memo?.revisions;
      return Array.isArray(revisions)
        ? (revisions as RevisionMetadata[])
        : queryWithRetry(this.entity(ref), revisionsQuery, []);
    });
  }

  /**
   * One retained revision with its whole snapshot (`revela revision get`).
   *
   * @throws RequestRejectedError `RevisionNotFound`
   * @example
   * ```ts
   * const { metadata, snapshot } = await revela.getRevision({ name: 'podinfo', namespace: 'examples' }, 'podinfo-v1');
   * ```
   */
  async getRevision(ref: AppRef, revision: string): Promise<RevisionDetail> {
    return this.call(`revision ${revision}`, () =>
      queryWithRetry(this.entity(ref), revisionQuery, [revision]),
    );
  }

  /**
   * Polls until a revision reaches one of `until` (every final status by default).
   *
   * @throws RevelaClientError `Timeout` when it does not within `timeoutMs`
   * @example
   * ```ts
   * const meta = await revela.waitForRevision(app, 'podinfo-v2', { until: ['Succeeded', 'Failed'] });
   * ```
   */
  async waitForRevision(ref: AppRef, revision: string, options: WaitOptions = {}): Promise<RevisionMetadata> {
    const until = options.until ?? FINAL;
    const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
    for (;;) {
      const view = await this.status(ref);
      options.onProgress?.(view);
      const meta = view.app.revisions.find((r) => r.name === revision);
      if (!meta)
        throw new NotFoundError(`revision ${revision} of ${appNamespace(ref)}/${ref.name} not found`);
      if (until.includes(meta.status)) return meta;
      if (Date.now() > deadline) {
        throw new RequestRejectedError(
          'Timeout',
          `${revision} is still ${meta.status} after ${options.timeoutMs ?? 300_000} ms${view.waiting.length ? `: ${view.waiting.join('; ')}` : ''}`,
        );
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Workflow operations

  /**
   * Suspends the current revision (or, with `step`, holds that step when it is reached).
   *
   * @example
   * ```ts
   * await revela.suspend({ name: 'podinfo', namespace: 'examples' });
   * ```
   */
  async suspend(ref: AppRef & { step?: string; requestId?: string }): Promise<OperationResult> {
    return this.revisionUpdate(ref, 'suspend', (h) =>
      h.executeUpdate(suspendUpdate, {
        updateId: ref.requestId ?? randomUUID(),
        args: [ref.step ? { step: ref.step } : {}],
      }),
    );
  }

  /**
   * Resumes a suspended revision, a held step, a `suspend` step or a deploy step waiting for approval.
   *
   * @example
   * ```ts
   * await revela.resume({ name: 'podinfo', namespace: 'examples', step: 'approve-prod' });
   * ```
   */
  async resume(ref: AppRef & { step?: string; requestId?: string }): Promise<OperationResult> {
    return this.revisionUpdate(ref, 'resume', (h) =>
      h.executeUpdate(resumeUpdate, {
        updateId: ref.requestId ?? randomUUID(),
        args: [ref.step ? { step: ref.step } : {}],
      }),
    );
  }

  /**
   * Terminates the current revision: running steps fail with reason `Terminate`; nothing more is applied.
   *
   * @example
   * ```ts
   * await revela.terminate({ name: 'podinfo', namespace: 'examples', reason: 'bad release' });
   * ```
   */
  async terminate(ref: AppRef & { reason?: string; requestId?: string }): Promise<OperationResult> {
    return this.revisionUpdate(ref, 'terminate', (h) =>
      h.executeUpdate(terminateUpdate, {
        updateId: ref.requestId ?? randomUUID(),
        args: [ref.reason ? { reason: ref.reason } : {}],
      }),
    );
  }

  /**
   * Re-runs the current revision's workflow (from `step` if given) with the same snapshot.
   *
   * @example
   * ```ts
   * await revela.restart({ name: 'podinfo', namespace: 'examples' });
   * ```
   */
  async restart(ref: AppRef & { step?: string; requestId?: string }): Promise<OperationResult> {
    const requestId = ref.requestId ?? randomUUID();
    return this.call(`application ${appNamespace(ref)}/${ref.name}`, () =>
      this.entity(ref).executeUpdate(restartUpdate, {
        updateId: requestId,
        args: [{ ...(ref.step ? { step: ref.step } : {}), requestId }],
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Catalog and clusters

  /**
   * The catalog of one namespace as stored (not merged with built-ins).
   *
   * @example
   * ```ts
   * const system = await revela.getCatalog('vela-system');
   * console.log(Object.keys(system.componentDefinitions));
   * ```
   */
  async getCatalog(namespace: string = SYSTEM_NAMESPACE) {
    try {
      return await queryWithRetry(
        this.temporal.workflow.getHandle(catalogWorkflowId(namespace)),
        catalogQuery,
        [],
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return emptyCatalog();
      throw translateError(err, { what: `catalog ${namespace}` });
    }
  }

  /**
   * Removes a definition, external policy or external workflow from a namespace's catalog.
   * Revisions already published keep their copy.
   *
   * @throws RequestRejectedError when it does not exist
   * @example
   * ```ts
   * await revela.deleteFromCatalog({ namespace: 'examples', kind: 'Policy', name: 'topology-hangzhou-clusters' });
   * ```
   */
  async deleteFromCatalog(request: {
    namespace: string;
    kind: CatalogDocument['kind'];
    name: string;
  }): Promise<CatalogChange> {
    return this.call(`catalog ${request.namespace}`, () =>
      this.temporal.workflow
        .getHandle(catalogWorkflowId(request.namespace))
        .executeUpdate(catalogDeleteUpdate, {
          updateId: randomUUID(),
          args: [{ kind: request.kind, name: request.name }],
        }),
    );
  }

  /**
   * The clusters Revela deploys to, from the kubeconfig and clusters file this client was given.
   *
   * @example
   * ```ts
   * for (const c of await revela.listClusters()) console.log(c.name, c.labels);
   * ```
   */
  async listClusters(): Promise<ClusterInfo[]> {
    return (await this.clusterRegistry()).list();
  }

  /**
   * The cluster registry (lazily loaded once), for rendered diffs and the resource tree.
   *
   * @example
   * ```ts
   * const registry = await revela.clusterRegistry();
   * ```
   */
  async clusterRegistry(): Promise<ClusterRegistry> {
    this.registryPromise ??= RevelaClient.loadClusterRegistry(this.options);
    return this.registryPromise;
  }

  /**
   * The cluster registry a client with these options would use, without connecting to Temporal
   * (`revela cluster list` works while Temporal is down).
   *
   * @throws ClusterConfigError when the kubeconfig or clusters file cannot be read
   * @example
   * ```ts
   * const registry = await RevelaClient.loadClusterRegistry({ clusters: { kubeconfigPath: '.revela/kubeconfig' } });
   * ```
   */
  static async loadClusterRegistry(
    options: Pick<RevelaClientOptions, 'clusters' | 'env'> = {},
  ): Promise<ClusterRegistry> {
    const env = options.env ?? process.env;
    const kubeconfigPath =
      options.clusters?.kubeconfigPath ?? env.REVELA_KUBECONFIG ?? env.KUBECONFIG?.split(':')[0];
    const clustersPath = options.clusters?.clustersPath ?? env.REVELA_CLUSTERS;
    // Loaded on first use: the Kubernetes client costs a third of a second to import, and most
    // commands (status, revision list) never need it.
    const { ClusterRegistry } = await import('../kube/cluster-registry.js');
    return ClusterRegistry.load({
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      ...(clustersPath ? { clustersPath } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  /** The registry when this client can load one; preflight then also checks placement. */
  private async optionalRegistry(): Promise<ClusterRegistry | undefined> {
    try {
      return await this.clusterRegistry();
    } catch {
      this.registryPromise = undefined;
      return undefined;
    }
  }

  /** The entity's handle (no start): for operations on an application that must exist. */
  entity(ref: AppRef): WorkflowHandle<typeof applicationWorkflow> {
    return this.temporal.workflow.getHandle<typeof applicationWorkflow>(
      applicationWorkflowId(appNamespace(ref), ref.name),
    );
  }

  /**
   * An update of the application's entity when it runs; `{ running: false }` when there is none
   * (never applied, or deleted), so the caller can check the request before creating one.
   */
  private async updateRunningEntity<Ret, Arg>(
    ref: AppRef,
    update: UpdateDefinition<Ret, [Arg]>,
    arg: Arg & { requestId: string },
  ): Promise<{ running: true; result: Ret } | { running: false }> {
    try {
      const result = await this.call(`application ${appNamespace(ref)}/${ref.name}`, () =>
        this.entity(ref).executeUpdate(update, { args: [arg], updateId: arg.requestId }),
      );
      return { running: true, result };
    } catch (err) {
      if (err instanceof NotFoundError) return { running: false };
      throw err;
    }
  }

  /** Update-with-start: the first request for an application creates its entity. */
  private async withEntity<Ret, Arg>(
    ref: AppRef,
    update: UpdateDefinition<Ret, [Arg]>,
    arg: Arg & { requestId?: string },
  ): Promise<Ret> {
    const namespace = appNamespace(ref);
    const start = new WithStartWorkflowOperation<typeof applicationWorkflow>('application', {
      workflowId: applicationWorkflowId(namespace, ref.name),
      taskQueue: this.taskQueue,
      args: [
        { namespace, name: ref.name, ...(this.options.engine ? { settings: this.options.engine } : {}) },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `application ${namespace}/${ref.name}`,
    });
    return this.call(`application ${namespace}/${ref.name}`, () =>
      this.temporal.workflow.executeUpdateWithStart(update, {
        args: [arg],
        ...(arg.requestId ? { updateId: arg.requestId } : {}),
        startWorkflowOperation: start,
      }),
    );
  }

  private async catalogApply(namespace: string, documents: CatalogDocument[]): Promise<CatalogChange[]> {
    const requestId = randomUUID();
    const start = new WithStartWorkflowOperation<typeof catalogWorkflow>('catalog', {
      workflowId: catalogWorkflowId(namespace),
      taskQueue: this.taskQueue,
      args: [{ namespace }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `catalog of ${namespace}`,
    });
    return this.call(`catalog ${namespace}`, () =>
      this.temporal.workflow.executeUpdateWithStart(catalogApplyUpdate, {
        args: [{ documents, requestId }],
        updateId: requestId,
        startWorkflowOperation: start,
      }),
    );
  }

  private async revisionUpdate(
    ref: AppRef,
    operation: string,
    fn: (h: WorkflowHandle) => Promise<OperationResult>,
  ): Promise<OperationResult> {
    const app = await this.call(`application ${appNamespace(ref)}/${ref.name}`, () =>
      queryWithRetry(this.entity(ref), statusQuery, []),
    );
    const current = app.currentRevision;
    if (!current) {
      throw new RequestRejectedError(
        'RevisionNotRunning',
        `${appNamespace(ref)}/${ref.name} has no revision yet`,
      );
    }
    // A finished run cannot take updates; Temporal would answer "not found", which misleads.
    if (isFinalStatus(current.status)) {
      throw new RequestRejectedError(
        'RevisionNotRunning',
        `${current.name} is ${current.status}, so there is nothing to ${operation} — publish a new version, or restart it with \`revela workflow restart ${ref.name}\``,
      );
    }
    return this.call(`revision ${current.name}`, () =>
      fn(this.temporal.workflow.getHandle(revisionWorkflowId(appNamespace(ref), current.name))),
    );
  }

  /**
   * A revision run's steps and health: from the memo once it finished (no replay of its history),
   * from its query while it runs. Undefined when neither is available (no worker for a running one).
   */
  private async runStatus(
    handle: WorkflowHandle,
    description: WorkflowExecutionDescription | undefined,
  ): Promise<RevisionRunStatus | undefined> {
    if (description && description.status.name !== 'RUNNING' && description.memo?.run) {
      return description.memo.run as RevisionRunStatus;
    }
    return queryWithRetry(handle, revisionStatusQuery, []).catch(() => undefined);
  }

  /** Why the current step waits: the latest heartbeat or last failure of its pending health checks. */
  private async pendingHealth(
    description: WorkflowExecutionDescription | undefined,
  ): Promise<{ messages: string[]; details: NotHealthyDetails[] }> {
    const messages: string[] = [];
    const details: NotHealthyDetails[] = [];
    for (const activity of description?.raw.pendingActivities ?? []) {
      // While a health wait looks again within one attempt, its heartbeat is the newest word.
      const beat = await heartbeatOf(this.temporal, activity.heartbeatDetails?.payloads);
      if (beat) {
        messages.push(beat.message);
        details.push(beat.details);
        continue;
      }
      if (!activity.lastFailure) continue;
      const error = await decodeOptionalFailureToOptionalError(
        this.temporal.options.loadedDataConverter,
        activity.lastFailure,
      );
      if (!error) continue;
      const failure = (error.cause ?? error) as Error & { type?: string; details?: unknown[] };
      messages.push(failure.message);
      const d = failure.details?.[0] as NotHealthyDetails | undefined;
      if (failure.type === 'NotHealthy' && d?.health) details.push(d);
    }
    return { messages, details };
  }

  /** The deadline of one operation, in milliseconds. */
  get requestTimeoutMs(): number {
    if (this.options.requestTimeoutMs !== undefined) return this.options.requestTimeoutMs;
    const env = this.options.env?.REVELA_REQUEST_TIMEOUT;
    return env ? parseDuration(env) : DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /**
   * Runs an SDK call under the request deadline and translates its errors once: a call no worker
   * answers fails with {@link DeadlineExceededError} when the deadline passes.
   */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const timeoutMs = this.requestTimeoutMs;
    try {
      return await this.connection.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      if (isDeadlineError(err)) throw new DeadlineExceededError(what, timeoutMs, { cause: err });
      throw translateError(err, { what });
    }
  }
}
