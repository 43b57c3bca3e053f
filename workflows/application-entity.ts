import {
  ActivityFailure,
  ApplicationFailure,
  log,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { ApplicationSchema } from '../model/application.js';
import { withDefaultSettings } from '../model/engine-settings.js';
import { appKey, applicationWorkflowId } from '../model/ids.js';
import {
  appendAudit,
  applyReport,
  currentRevision,
  phaseOf,
  requireRevision,
  rollbackTarget,
  type ApplicationPhase,
  type AuditEntry,
  type RevisionReport,
} from '../model/revision-history.js';
import * as acts from './activities.js';
import type { ApplicationState, EntityContext } from './entity-context.js';
import { reject, RejectionType, rule } from './failures.js';
import type {
  ApplicationStatus,
  ApplyRequest,
  ApplyResult,
  DeleteRequest,
  DeleteResult,
  OperationResult,
  PublishedRevision,
  PublishRequest,
  RestartRequest,
  RevisionDetail,
  RollbackRequest,
  RollbackResult,
} from './messages.js';
import { Mutex } from './mutex.js';
import { deleteAction } from './delete-action.js';
import { applyAction, publishAction } from './publish-action.js';
import { RequestLog } from './request-log.js';
import { restartAction, validateRestart } from './restart-action.js';
import { rollbackAction } from './rollback-action.js';
import type { StateKeepReport } from './state-keep-messages.js';
import { keepState, stateKeepAudit } from './state-keep-wiring.js';
import {
  RevelaApp,
  RevelaHash,
  RevelaPhase,
  RevelaPublishVersion,
  RevelaRevision,
} from './search-attributes.js';

export type { ApplicationState } from './entity-context.js';

/** An activity's typed failure becomes the update's rejection, so clients see `InvalidParameters`, not `ActivityFailure`. */
function unwrapActivityFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err;
}

/**
 * The application entity: draft, revision history (`model/revision-history.ts` holds its rules),
 * the inventory of applied objects and an audit log. Publish, rollback and restart run one at a
 * time under a mutex taken when the update is accepted; reports from revision workflows update it
 * at any time. Each action lives in its own file; this class wires them to messages.
 */
export class ApplicationEntity implements EntityContext {
  private readonly mutex = new Mutex();
  private readonly requests: RequestLog;
  updatesThisRun = 0;

  readonly compute: ReturnType<typeof acts.computeActivities>;
  readonly localCompute: ReturnType<typeof acts.localComputeActivities>;
  readonly cluster: ReturnType<typeof acts.clusterActivities>;
  readonly watchedRuns = new Map<string, boolean>();
  readonly resultRuns = new Map<string, string>();

  constructor(readonly state: ApplicationState) {
    state.settings = withDefaultSettings(state.settings);
    this.compute = acts.computeActivities(state.settings);
    this.localCompute = acts.localComputeActivities(state.settings);
    this.cluster = acts.clusterActivities(state.settings);
    this.requests = new RequestLog(state);
  }

  get id(): string {
    return applicationWorkflowId(this.state.namespace, this.state.name);
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  status(): ApplicationStatus {
    const current = currentRevision(this.state);
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
      ...(this.state.fence !== undefined ? { fence: this.state.fence } : {}),
      ...(this.state.currentFence !== undefined ? { currentFence: this.state.currentFence } : {}),
    };
  }

  revision(name: string): RevisionDetail {
    return rule(() => requireRevision(this.state, name));
  }

  phase(): ApplicationPhase {
    return this.state.deleted ? 'deleted' : phaseOf(this.state);
  }

  // -------------------------------------------------------------------------------------------
  // Validators (synchronous; a throw rejects the update before anything is recorded)

  validateApply(req: ApplyRequest): void {
    this.assertNotDeleted(req?.requestId);
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
    if (this.requests.known(req.requestId)) return;
    this.assertNotDeleted(undefined);
    const current = currentRevision(this.state);
    if (current?.publishVersion === req.publishVersion) {
      throw reject(
        RejectionType.PublishVersionInUse,
        `publishVersion ${req.publishVersion} is the current one (${current.name}); choose a new version`,
      );
    }
    if (req.application !== undefined) this.validateApply({ application: req.application });
    if (req.fromRevision !== undefined) {
      this.revision(req.fromRevision);
    } else if (!this.state.draft && req.application === undefined) {
      throw reject(
        RejectionType.NoDraft,
        `${this.state.namespace}/${this.state.name} has no draft: apply the application first`,
      );
    }
  }

  validateRollback(req: RollbackRequest): void {
    if (this.requests.known(req?.requestId)) return;
    this.assertNotDeleted(undefined);
    rule(() => rollbackTarget(this.state, req?.to));
  }

  validateRestart(req: RestartRequest): void {
    if (this.requests.known(req?.requestId)) return;
    this.assertNotDeleted(undefined);
    validateRestart(this.state, req ?? {});
  }

  /** A deleted application answers only retries of requests it already answered. */
  private assertNotDeleted(requestId: string | undefined): void {
    if (!this.state.deleted || this.requests.known(requestId)) return;
    throw reject(
      RejectionType.ApplicationDeleted,
      `${this.state.namespace}/${this.state.name} was deleted at ${this.state.deleted.at}; apply it again once its entity has ended to create it anew`,
    );
  }

  /** True while a request holds or waits for the entity's lock, answered or not. */
  get busy(): boolean {
    return this.mutex.busy;
  }

  // -------------------------------------------------------------------------------------------
  // Updates

  apply(req: ApplyRequest): Promise<ApplyResult> {
    return this.once(req.requestId, () => applyAction(this, this.mutex, req));
  }

  publish(req: PublishRequest): Promise<PublishedRevision> {
    return this.once(req.requestId, () => publishAction(this, this.mutex, req));
  }

  rollback(req: RollbackRequest): Promise<RollbackResult> {
    return this.once(req.requestId, () => this.mutex.runExclusive(() => rollbackAction(this, req)));
  }

  restart(req: RestartRequest): Promise<OperationResult> {
    return this.once(req.requestId, () => this.mutex.runExclusive(() => restartAction(this, req)));
  }

  /** Deleting twice answers the first deletion's result: the finalizer may retry. */
  delete(req: DeleteRequest): Promise<DeleteResult> {
    return this.once(req?.requestId, () =>
      this.mutex.runExclusive(async () =>
        this.state.deleted
          ? {
              collected: 0,
              left: this.state.inventory.length,
              message: `${this.state.namespace}/${this.state.name} is already deleted`,
            }
          : deleteAction(this),
      ),
    );
  }

  /** A revision workflow's report: status changes and inventory. */
  onReport(report: RevisionReport): void {
    const outcome = applyReport(this.state, report);
    if (outcome.kind !== 'recorded') return;
    if (outcome.finished) {
      const { meta } = outcome;
      this.audit(
        'finish',
        meta.name,
        `${meta.name} ${report.status}${report.message ? `: ${report.message}` : ''}`,
      );
      if (meta.status === 'Succeeded' && currentRevision(this.state)?.name === meta.name)
        void keepState(this).catch((err: unknown) =>
          log.warn('state keep not started', { error: String(err) }),
        );
    }
    this.publishVisibility();
  }

  /** The state-keep workflow restored drifted objects: the audit log says what. */
  onStateKeep(report: StateKeepReport): void {
    const { action, message } = stateKeepAudit(report);
    this.audit(action, report.revision, message);
  }

  // -------------------------------------------------------------------------------------------
  // Shared with the actions (EntityContext)

  async callActivity<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unwrapActivityFailure(err);
    }
  }

  audit(action: AuditEntry['action'], revision: string | undefined, message: string): void {
    appendAudit(this.state, { action, revision, message, now: new Date().toISOString() });
  }

  publishVisibility(): void {
    const current = currentRevision(this.state);
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

  private once<T>(requestId: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.updatesThisRun++;
    return this.requests.once(requestId, fn);
  }
}
