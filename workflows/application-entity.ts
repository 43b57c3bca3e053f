import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { Application } from '../model/application.js';
import { ApplicationSchema, applicationPublishVersion, withPublishVersion } from '../model/application.js';
import {
  applicationWorkflowId,
  appKey,
  revisionName,
  revisionWorkflowId,
  parseRevisionName,
} from '../model/ids.js';
import { isFinalStatus, type RevisionMetadata, type RevisionStatus } from '../model/revision.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import * as acts from './activities.js';
import { reject, RejectionType } from './failures.js';
import type {
  ApplicationPhase,
  ApplicationStatus,
  ApplyRequest,
  ApplyResult,
  AuditEntry,
  EngineSettings,
  InventoryEntry,
  OperationResult,
  PublishedRevision,
  PublishRequest,
  RestartRequest,
  RevisionDetail,
  RevisionReport,
  RollbackRequest,
  RollbackResult,
} from './messages.js';
import { DEFAULT_ENGINE_SETTINGS, inventoryKey, supersedeSignal } from './messages.js';
import { Mutex } from './mutex.js';
import { revision as revisionWorkflow } from './revision.js';
import {
  RevelaApp,
  RevelaHash,
  RevelaPhase,
  RevelaPublishVersion,
  RevelaRevision,
} from './search-attributes.js';

/** Everything the entity carries across continue-as-new. */
export interface ApplicationState {
  namespace: string;
  name: string;
  createdAt: string;
  settings: EngineSettings;
  draft?: Application;
  /** Next revision number; numbers are never reused, even after pruning. */
  nextNumber: number;
  /** Retained revisions, oldest first. */
  revisions: RevisionMetadata[];
  snapshots: Record<string, RevisionSnapshot>;
  current?: string;
  latestSucceeded?: string;
  /** Run id of each revision's latest run, so reports of a replaced run are ignored. */
  runIds: Record<string, string>;
  inventory: InventoryEntry[];
  audit: AuditEntry[];
  /** Answers of recent requests by id, so a retried publish is answered, not repeated. */
  requests: { id: string; result: unknown }[];
}

const AUDIT_LIMIT = 100;
const REQUEST_MEMORY = 200;

/** An activity's typed failure becomes the update's rejection, so clients see `InvalidParameters`, not `ActivityFailure`. */
function unwrapActivityFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err;
}

const PHASE_BY_STATUS: Record<RevisionStatus, ApplicationPhase> = {
  Pending: 'starting',
  Executing: 'runningWorkflow',
  Suspended: 'workflowSuspending',
  Succeeded: 'running',
  Failed: 'workflowFailed',
  Terminated: 'workflowTerminated',
  RolledBack: 'workflowTerminated',
};

/**
 * The application entity: draft, revision index, retained snapshots, current and latest succeeded
 * revision, the inventory of applied objects and an audit log. Publish, rollback and restart run
 * one at a time under a mutex; reports from revision workflows update it at any time.
 */
export class ApplicationEntity {
  private readonly mutex = new Mutex();
  updatesThisRun = 0;

  private readonly compute: ReturnType<typeof acts.computeActivities>;
  private readonly cluster: ReturnType<typeof acts.clusterActivities>;

  constructor(readonly state: ApplicationState) {
    // Entities created before a setting existed get its default.
    state.settings = { ...DEFAULT_ENGINE_SETTINGS, ...state.settings };
    this.compute = acts.computeActivities(state.settings);
    this.cluster = acts.clusterActivities(state.settings);
  }

  get id(): string {
    return applicationWorkflowId(this.state.namespace, this.state.name);
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  status(): ApplicationStatus {
    const current = this.meta(this.state.current);
    return {
      name: this.state.name,
      namespace: this.state.namespace,
      createdAt: this.state.createdAt,
      phase: this.phase(),
      ...(this.state.draft ? { draft: this.state.draft } : {}),
      ...(current ? { currentRevision: current } : {}),
      ...(this.state.latestSucceeded ? { latestSucceededRevision: this.state.latestSucceeded } : {}),
      revisions: this.state.revisions,
      inventory: this.state.inventory,
      audit: this.state.audit,
    };
  }

  revision(name: string): RevisionDetail {
    const metadata = this.meta(name);
    const snapshot = this.state.snapshots[name];
    if (!metadata || !snapshot) throw this.notFound(name);
    return { metadata, snapshot };
  }

  phase(): ApplicationPhase {
    const current = this.meta(this.state.current);
    return current ? PHASE_BY_STATUS[current.status] : 'starting';
  }

  // -------------------------------------------------------------------------------------------
  // Validators (synchronous; a throw rejects the update before anything is recorded)

  validateApply(req: ApplyRequest): void {
    const parsed = ApplicationSchema.safeParse(req?.application);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw reject(
        RejectionType.InvalidRequest,
        `application: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const { name, namespace } = parsed.data.metadata;
    if (name !== this.state.name || (namespace ?? 'default') !== this.state.namespace) {
      throw reject(
        RejectionType.NameMismatch,
        `application ${namespace ?? 'default'}/${name} sent to the entity of ${this.state.namespace}/${this.state.name}`,
      );
    }
  }

  validatePublish(req: PublishRequest): void {
    if (!req || typeof req.publishVersion !== 'string' || req.publishVersion.trim() === '') {
      throw reject(RejectionType.InvalidRequest, 'publishVersion is required');
    }
    if (this.remembered(req.requestId) !== undefined) return;
    const current = this.meta(this.state.current);
    if (current?.publishVersion === req.publishVersion) {
      throw reject(
        RejectionType.PublishVersionInUse,
        `publishVersion ${req.publishVersion} is the current one (${current.name}); choose a new version`,
      );
    }
    if (req.application !== undefined) this.validateApply({ application: req.application });
    if (req.fromRevision !== undefined) {
      if (!this.state.snapshots[req.fromRevision]) throw this.notFound(req.fromRevision);
    } else if (!this.state.draft && req.application === undefined) {
      throw reject(
        RejectionType.NoDraft,
        `${this.state.namespace}/${this.state.name} has no draft: apply the application first`,
      );
    }
  }

  validateRollback(req: RollbackRequest): void {
    if (this.remembered(req?.requestId) !== undefined) return;
    this.rollbackTarget(req?.to);
  }

  validateRestart(req: RestartRequest): void {
    if (this.remembered(req?.requestId) !== undefined) return;
    if (!this.state.current) {
      throw reject(
        RejectionType.RevisionNotRunning,
        `${this.state.namespace}/${this.state.name} has no revision yet`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Updates

  /** `revela apply`: saves the draft and publishes when the rules say so (ARCHITECTURE §4). */
  async apply(req: ApplyRequest): Promise<ApplyResult> {
    return this.once(req.requestId, async () => {
      const application = ApplicationSchema.parse(req.application);
      const snapshot = await this.resolve(application);
      return this.mutex.runExclusive(async () => {
        this.state.draft = application;
        const current = this.meta(this.state.current);
        const publishVersion = applicationPublishVersion(application);
        if (publishVersion !== undefined && current?.publishVersion === publishVersion) {
          const changed = current.hash !== snapshot.hash;
          this.audit(
            'apply',
            current.name,
            changed ? 'draft saved; nothing runs until a new publishVersion' : 'no change',
          );
          return {
            published: false,
            message: changed
              ? `draft saved; publishVersion ${publishVersion} is already published as ${current.name}, so nothing runs — publish a new version to deploy it`
              : `no change: ${current.name} (${publishVersion}) already has this content`,
          };
        }
        if (publishVersion === undefined && current?.hash === snapshot.hash) {
          this.audit('apply', current.name, 'no change');
          return {
            published: false,
            message: `no change: ${current.name} already has hash ${snapshot.hash}`,
          };
        }
        const revision = await this.publishSnapshot(snapshot, publishVersion, undefined);
        return { published: true, message: `published ${revision.revision}`, revision };
      });
    });
  }

  /** `revela up --publish-version V [--revision K]`: publishes the draft, or re-publishes K. */
  async publish(req: PublishRequest): Promise<PublishedRevision> {
    return this.once(req.requestId, async () => {
      let snapshot: RevisionSnapshot;
      let source: string | undefined;
      if (req.fromRevision !== undefined) {
        const from = this.revision(req.fromRevision).snapshot;
        // The hash excludes the publishVersion annotation, so the copy keeps K's hash.
        snapshot = { ...from, application: withPublishVersion(from.application, req.publishVersion) };
        source = req.fromRevision;
      } else {
        const draft = req.application ? ApplicationSchema.parse(req.application) : this.state.draft;
        if (!draft)
          throw reject(RejectionType.NoDraft, `${this.state.namespace}/${this.state.name} has no draft`);
        snapshot = await this.resolve(withPublishVersion(draft, req.publishVersion));
      }
      return this.mutex.runExclusive(async () => {
        // Re-checked under the lock: another publish may have taken this version meanwhile.
        if (this.meta(this.state.current)?.publishVersion === req.publishVersion) {
          throw reject(
            RejectionType.PublishVersionInUse,
            `publishVersion ${req.publishVersion} is the current one`,
          );
        }
        if (!source) this.state.draft = snapshot.application;
        return this.publishSnapshot(snapshot, req.publishVersion, source);
      });
    });
  }

  /**
   * Returns the clusters to a succeeded revision without running any step: re-applies its
   * rendered objects and collects what newer revisions added. Allowed while a revision runs (it
   * is superseded first); the abandoned revision is marked `RolledBack`, nothing is deleted.
   */
  async rollback(req: RollbackRequest): Promise<RollbackResult> {
    return this.once(req.requestId, () =>
      this.mutex.runExclusive(async () => {
        const target = this.rollbackTarget(req.to);
        const from = this.meta(this.state.current);
        if (!from) throw reject(RejectionType.RevisionNotRunning, 'nothing to roll back from');
        const diff = await this.callActivity(() =>
          this.compute.diffRevisions({
            base: { snapshot: this.revision(from.name).snapshot, revision: from.name },
            target: { snapshot: this.revision(target.name).snapshot, revision: target.name },
          }),
        );
        if (req.dryRun)
          return { from: from.name, to: target.name, dryRun: true, diff, applied: 0, deleted: 0 };

        if (!isFinalStatus(from.status)) await this.supersede(from, target.name, 'rolled back');
        from.status = 'RolledBack';
        from.succeeded = false;
        from.endTime ??= new Date().toISOString();
        from.description = `rolled back to ${target.name}`;

        const { snapshot } = this.revision(target.name);
        const resources = await this.callActivity(() =>
          this.compute.renderRevision({ snapshot, revision: target.name }),
        );
        const keep = new Set<string>();
        for (const { cluster, object } of resources) {
          const entry = await this.cluster.applyResource.executeWithOptions(
            { summary: `rollback: apply ${object.kind}/${object.metadata.name} → ${cluster}` },
            [{ cluster, object, revision: target.name }],
          );
          keep.add(inventoryKey(entry));
          this.addInventory([entry]);
        }
        const stale = this.state.inventory.filter((e) => !keep.has(inventoryKey(e)));
        const deleted =
          stale.length === 0
            ? []
            : await this.cluster.collectGarbage.executeWithOptions(
                { summary: `rollback: collect ${stale.length} object(s) newer than ${target.name}` },
                [{ entries: stale }],
              );
        this.removeInventory(deleted);
        this.state.current = target.name;
        this.audit('rollback', target.name, `rolled back from ${from.name} to ${target.name}`);
        this.publishVisibility();
        return {
          from: from.name,
          to: target.name,
          dryRun: false,
          diff,
          applied: resources.length,
          deleted: deleted.length,
        };
      }),
    );
  }

  /** Re-runs the current revision (from `step` if given) in a new run of the same workflow id. */
  async restart(req: RestartRequest): Promise<OperationResult> {
    return this.once(req.requestId, () =>
      this.mutex.runExclusive(async () => {
        const current = this.meta(this.state.current);
        if (!current) throw reject(RejectionType.RevisionNotRunning, 'no revision to restart');
        if (!isFinalStatus(current.status)) await this.supersede(current, current.name, 'restarted');
        await this.startRevision(current, req.step);
        this.audit(
          'restart',
          current.name,
          `restarted ${current.name}${req.step ? ` from step ${req.step}` : ''}`,
        );
        return {
          revision: current.name,
          message: `restarted ${current.name}${req.step ? ` from step ${req.step}` : ''}`,
        };
      }),
    );
  }

  /** A revision workflow's report: status changes and inventory. */
  onReport(report: RevisionReport): void {
    const meta = this.meta(report.revision);
    const knownRun = this.state.runIds[report.revision];
    if (knownRun !== undefined && knownRun !== report.runId) return;
    if (report.applied) this.addInventory(report.applied);
    if (report.deleted) this.removeInventory(report.deleted);
    if (!meta) return;
    // A final status stands: reports of one run may arrive out of order (an "Executing" sent just
    // before "Failed" can land after it), and a rolled-back revision keeps that status whatever
    // its cancelled run says last. Only a new run (restart) starts over, with a new run id.
    if (!isFinalStatus(meta.status)) meta.status = report.status;
    if (report.status === 'Succeeded') {
      meta.succeeded = true;
      if (!this.state.latestSucceeded || this.numberOf(this.state.latestSucceeded) < meta.number) {
        this.state.latestSucceeded = meta.name;
      }
    }
    if (report.endTime) meta.endTime = report.endTime;
    if (report.message && !meta.description) meta.description = report.message;
    if (isFinalStatus(report.status))
      this.audit(
        'finish',
        meta.name,
        `${meta.name} ${report.status}${report.message ? `: ${report.message}` : ''}`,
      );
    this.publishVisibility();
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private async resolve(application: Application): Promise<RevisionSnapshot> {
    return this.callActivity(() => this.compute.resolveSnapshot({ application }));
  }

  private async callActivity<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unwrapActivityFailure(err);
    }
  }

  /** Allocates the next number, supersedes the running revision, starts the new one. */
  private async publishSnapshot(
    snapshot: RevisionSnapshot,
    publishVersion: string | undefined,
    sourceRevision: string | undefined,
  ): Promise<PublishedRevision> {
    const number = this.state.nextNumber++;
    const name = revisionName(this.state.name, number);
    const previous = this.meta(this.state.current);
    let superseded: string | undefined;
    if (previous && !isFinalStatus(previous.status)) {
      await this.supersede(previous, name, 'superseded');
      superseded = previous.name;
    }
    const meta: RevisionMetadata = {
      name,
      number,
      ...(publishVersion !== undefined ? { publishVersion } : {}),
      hash: snapshot.hash,
      size: snapshot.size,
      status: 'Executing',
      succeeded: false,
      beginTime: new Date().toISOString(),
      workflowId: revisionWorkflowId(this.state.namespace, name),
      ...(sourceRevision ? { sourceRevision, description: `re-published from ${sourceRevision}` } : {}),
    };
    this.state.revisions.push(meta);
    this.state.snapshots[name] = snapshot;
    this.state.current = name;
    await this.startRevision(meta, undefined);
    this.audit(
      sourceRevision ? 'republish' : 'publish',
      name,
      `published ${name}${publishVersion ? ` (${publishVersion})` : ''} hash ${snapshot.hash}` +
        (sourceRevision ? ` from ${sourceRevision}` : '') +
        (superseded ? `, superseding ${superseded}` : ''),
    );
    this.prune();
    this.publishVisibility();
    return {
      revision: name,
      number,
      hash: snapshot.hash,
      ...(publishVersion !== undefined ? { publishVersion } : {}),
      workflowId: meta.workflowId,
      ...(superseded ? { superseded } : {}),
    };
  }

  private async startRevision(meta: RevisionMetadata, restartFromStep: string | undefined): Promise<void> {
    const snapshot = this.revision(meta.name).snapshot;
    meta.status = 'Executing';
    meta.succeeded = false;
    delete meta.endTime;
    const { status: _s, succeeded: _ok, endTime: _e, beginTime: _b, ...identity } = meta;
    const handle = await startChild(revisionWorkflow, {
      workflowId: meta.workflowId,
      args: [
        {
          app: { namespace: this.state.namespace, name: this.state.name },
          revision: identity,
          snapshot,
          applicationWorkflowId: this.id,
          inventory: this.state.inventory,
          ...(restartFromStep ? { restartFromStep } : {}),
          settings: this.state.settings,
        },
      ],
      // The entity continues as new while revisions run; they report back by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `${meta.name}${meta.publishVersion ? ` (${meta.publishVersion})` : ''} of ${appKey(this.state.namespace, this.state.name)} · hash ${meta.hash}`,
      staticDetails: meta.sourceRevision ? `re-published from ${meta.sourceRevision}` : undefined,
      typedSearchAttributes: [
        { key: RevelaApp, value: appKey(this.state.namespace, this.state.name) },
        { key: RevelaRevision, value: meta.name },
        { key: RevelaHash, value: meta.hash },
        { key: RevelaPhase, value: 'Executing' },
        ...(meta.publishVersion ? [{ key: RevelaPublishVersion, value: meta.publishVersion }] : []),
      ],
      memo: { app: appKey(this.state.namespace, this.state.name), revision: meta.name },
    });
    // Awaited so the answer names a revision workflow that exists: a client may open it at once.
    this.state.runIds[meta.name] = handle.firstExecutionRunId;
  }

  /**
   * Stops a running revision before another takes over: tell it why, request cancellation (its
   * activities stop through heartbeats), wait for its final report, and terminate it if it does
   * not answer within the bound. Only then may the next revision apply anything.
   */
  private async supersede(
    meta: RevisionMetadata,
    by: string,
    reason: 'superseded' | 'rolled back' | 'restarted',
  ) {
    const handle = getExternalWorkflowHandle(meta.workflowId, this.state.runIds[meta.name]);
    const runId = this.state.runIds[meta.name];
    const ignoreClosed = (err: unknown) => {
      // The run may have closed on its own meanwhile; its final report is on its way.
      if (!(err instanceof Error)) throw err;
    };
    await handle.signal(supersedeSignal, { by, reason }).catch(ignoreClosed);
    await handle.cancel().catch(ignoreClosed);
    const acknowledged = await condition(
      () => isFinalStatus(meta.status),
      this.state.settings.supersedeTimeoutMs,
    );
    if (!acknowledged) {
      await CancellationScope.nonCancellable(() =>
        acts.control.terminateWorkflow({
          workflowId: meta.workflowId,
          ...(runId ? { runId } : {}),
          reason: `${reason} by ${by}; did not acknowledge cancellation within ${this.state.settings.supersedeTimeoutMs} ms`,
        }),
      );
    }
    // A run that finished on its own (Succeeded, Failed) before the cancellation landed keeps its
    // result; otherwise it is recorded as stopped by this request.
    if (reason !== 'restarted' && (!acknowledged || meta.status === 'Terminated')) {
      meta.status = 'Terminated';
      meta.succeeded = false;
      meta.description = `${reason} by ${by}`;
      meta.endTime ??= new Date().toISOString();
    }
    this.audit(
      'supersede',
      meta.name,
      `${meta.name} ${reason} by ${by}${acknowledged ? '' : ' (terminated after timeout)'}`,
    );
  }

  private rollbackTarget(to: string | undefined): RevisionMetadata {
    if (to !== undefined) {
      const meta = this.meta(to);
      if (!meta || !this.state.snapshots[to]) throw this.notFound(to);
      if (!meta.succeeded) {
        throw reject(
          RejectionType.NoSucceededRevision,
          `${to} is ${meta.status}, not a succeeded revision; only succeeded revisions can be rolled back to`,
        );
      }
      if (to === this.state.current) {
        throw reject(RejectionType.NoSucceededRevision, `${to} is already the current revision`);
      }
      return meta;
    }
    const candidates = this.state.revisions.filter((r) => r.succeeded && r.name !== this.state.current);
    const target = candidates.at(-1);
    if (!target) {
      throw reject(
        RejectionType.NoSucceededRevision,
        `${this.state.namespace}/${this.state.name} has no succeeded revision other than the current one to roll back to`,
      );
    }
    return target;
  }

  /**
   * Keeps the newest `limit` revisions (the `garbage-collect` policy's `applicationRevisionLimit`
   * or the default), then prunes further while retained snapshots exceed the state budget. The
   * current and the latest succeeded revision are never pruned; numbers are never reused.
   */
  private prune(): void {
    const current = this.state.current ? this.state.snapshots[this.state.current] : undefined;
    const gc = current?.application.spec.policies?.find((p) => p.type === 'garbage-collect');
    const configured = (gc?.properties as { applicationRevisionLimit?: unknown } | undefined)
      ?.applicationRevisionLimit;
    const limit =
      typeof configured === 'number' && configured >= 0 ? configured : this.state.settings.revisionLimit;
    const protectedNames = new Set(
      [this.state.current, this.state.latestSucceeded].filter((n): n is string => !!n),
    );
    const removable = () =>
      this.state.revisions.filter((r) => !protectedNames.has(r.name) && isFinalStatus(r.status));
    const size = () => Object.values(this.state.snapshots).reduce((sum, s) => sum + s.size, 0);

    const drop = (name: string, why: string) => {
      this.state.revisions = this.state.revisions.filter((r) => r.name !== name);
      delete this.state.snapshots[name];
      delete this.state.runIds[name];
      this.audit('prune', name, `pruned ${name}: ${why}`);
    };
    while (this.state.revisions.length > limit) {
      const oldest = removable()[0];
      if (!oldest) break;
      drop(oldest.name, `more than ${limit} revisions`);
    }
    while (size() > this.state.settings.stateBudgetBytes) {
      const oldest = removable()[0];
      if (!oldest) break;
      drop(oldest.name, `retained snapshots exceed ${this.state.settings.stateBudgetBytes} bytes`);
    }
  }

  private addInventory(entries: InventoryEntry[]): void {
    const byKey = new Map(this.state.inventory.map((e) => [inventoryKey(e), e]));
    for (const e of entries) byKey.set(inventoryKey(e), e);
    this.state.inventory = [...byKey.values()];
  }

  private removeInventory(entries: InventoryEntry[]): void {
    const gone = new Set(entries.map(inventoryKey));
    this.state.inventory = this.state.inventory.filter((e) => !gone.has(inventoryKey(e)));
  }

  /** Runs a request once per id: a retry gets the first answer, even after continue-as-new. */
  private async once<T>(requestId: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.updatesThisRun++;
    const seen = this.remembered(requestId);
    if (seen !== undefined) return seen.result as T;
    const result = await fn();
    if (requestId) {
      this.state.requests.push({ id: requestId, result });
      if (this.state.requests.length > REQUEST_MEMORY) this.state.requests.shift();
    }
    return result;
  }

  private remembered(requestId: string | undefined): { result: unknown } | undefined {
    return requestId ? this.state.requests.find((r) => r.id === requestId) : undefined;
  }

  private meta(name: string | undefined): RevisionMetadata | undefined {
    return name ? this.state.revisions.find((r) => r.name === name) : undefined;
  }

  private numberOf(name: string): number {
    return parseRevisionName(name)?.number ?? 0;
  }

  private notFound(name: string): ApplicationFailure {
    const known = this.state.revisions.map((r) => r.name).join(', ') || 'none';
    return reject(RejectionType.RevisionNotFound, `revision ${name} not found (retained: ${known})`);
  }

  private audit(action: AuditEntry['action'], revision: string | undefined, message: string): void {
    this.state.audit.unshift({
      time: new Date().toISOString(),
      action,
      ...(revision ? { revision } : {}),
      message,
    });
    if (this.state.audit.length > AUDIT_LIMIT) this.state.audit.length = AUDIT_LIMIT;
  }

  publishVisibility(): void {
    const current = this.meta(this.state.current);
    upsertSearchAttributes([
      { key: RevelaApp, value: appKey(this.state.namespace, this.state.name) },
      { key: RevelaPhase, value: this.phase() },
      ...(current
        ? [
            { key: RevelaRevision, value: current.name },
            { key: RevelaHash, value: current.hash },
            ...(current.publishVersion ? [{ key: RevelaPublishVersion, value: current.publishVersion }] : []),
          ]
        : []),
    ]);
    // The revision index in the memo lets `revision list` read it with a describe: no worker, no
    // replay of a long history.
    upsertMemo({
      currentRevision: current?.name ?? null,
      phase: this.phase(),
      revisions: this.state.revisions,
    });
  }
}
