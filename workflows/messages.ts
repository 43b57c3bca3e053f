/**
 * The message contract of Revela's workflows: every update, query and signal with its request and
 * answer types. Clients, workflows and tests import these definitions, never the raw names.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Application } from '../model/application.js';
import type { CatalogView } from '../model/catalog-view.js';
import type { RevelaDocument } from '../model/document.js';
import type { RevisionMetadata, RevisionStatus } from '../model/revision.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { EngineSettings } from '../model/engine-settings.js';
import type { InventoryEntry } from '../model/inventory.js';
import type { ApplicationPhase, AuditEntry, RevisionReport } from '../model/revision-history.js';
import type { ComponentHealth, StepStatus } from '../model/step-status.js';

// The nouns these messages carry live in `model/`; they are re-exported for existing importers.
export type { InventoryEntry } from '../model/inventory.js';
export { inventoryKey } from '../model/inventory.js';
export type { ComponentHealth, StepPhase, StepStatus } from '../model/step-status.js';
export type { EngineSettings } from '../model/engine-settings.js';
export { DEFAULT_ENGINE_SETTINGS } from '../model/engine-settings.js';
export type { ApplicationPhase, AuditEntry, RevisionReport } from '../model/revision-history.js';

// ---------------------------------------------------------------------------------------------
// Application entity: `app/<ns>/<name>`

export interface ApplyRequest {
  application: Application;
  /** De-duplicates retries of the same request, across continue-as-new. */
  requestId?: string;
}

export interface PublishedRevision {
  revision: string;
  number: number;
  hash: string;
  publishVersion?: string;
  workflowId: string;
  /** The revision this publish superseded (Terminated), if one was running. */
  superseded?: string;
}

export interface ApplyResult {
  /** True when the apply started a new revision. */
  published: boolean;
  /** What happened, in one line a user can act on. */
  message: string;
  revision?: PublishedRevision;
}

export interface PublishRequest {
  /** The version to publish under; must differ from the current revision's. */
  publishVersion: string;
  /** Replace the draft with this application, then publish it. */
  application?: Application;
  /** Re-publish: copy this retained revision (`<app>-v<K>`) instead of the draft. */
  fromRevision?: string;
  requestId?: string;
}

export interface RollbackRequest {
  /** A retained, succeeded revision. @default the latest succeeded one other than the current */
  to?: string;
  /** Only report what would change. */
  dryRun?: boolean;
  requestId?: string;
}

export interface RollbackResult {
  from: string;
  to: string;
  dryRun: boolean;
  /** The rendered-resource diff from the current revision to the target. */
  diff: string;
  /** Objects applied and deleted (zero on a dry run). */
  applied: number;
  deleted: number;
}

export interface RestartRequest {
  /** Restart from this step; earlier steps keep their result. @default the first step */
  step?: string;
  requestId?: string;
}

export interface DeleteRequest {
  requestId?: string;
}

export interface DeleteResult {
  /** The revision that was running and was stopped for the deletion, if one was. */
  stopped?: string;
  /** Objects collected from the clusters (deleted, already gone, or released to other holders). */
  collected: number;
  /** Objects still recorded after collection: written by a later writer, so left alone. */
  left: number;
  message: string;
}

export interface OperationResult {
  revision: string;
  message: string;
}

export interface ApplicationStatus {
  name: string;
  namespace: string;
  createdAt: string;
  phase: ApplicationPhase;
  draft?: Application;
  currentRevision?: RevisionMetadata;
  latestSucceededRevision?: string;
  revisions: RevisionMetadata[];
  inventory: InventoryEntry[];
  /** Newest first, bounded. */
  audit: AuditEntry[];
  /** The last write fence handed out (docs/fencing.md). */
  fence?: number;
  /**
   * The fence of the writer that made the current revision what is deployed (its run, or the
   * rollback to it): state-keep repairs write with it. Absent in entities that have not started
   * or rolled back a revision since it was recorded.
   */
  currentFence?: number;
}

export interface RevisionDetail {
  metadata: RevisionMetadata;
  snapshot: RevisionSnapshot;
}

export const applyUpdate = defineUpdate<ApplyResult, [ApplyRequest]>('apply');
export const publishUpdate = defineUpdate<PublishedRevision, [PublishRequest]>('publish');
export const rollbackUpdate = defineUpdate<RollbackResult, [RollbackRequest]>('rollback');
export const restartUpdate = defineUpdate<OperationResult, [RestartRequest]>('restart');
/** Deletes the application: stops its run, collects everything it owns, then the entity ends. */
export const deleteUpdate = defineUpdate<DeleteResult, [DeleteRequest]>('delete');
export const statusQuery = defineQuery<ApplicationStatus>('status');
export const revisionQuery = defineQuery<RevisionDetail, [string]>('revision');
/** Just the revision index (what `revision list` shows), without the draft, inventory and audit. */
export const revisionsQuery = defineQuery<RevisionMetadata[]>('revisions');

/** Sent by a revision workflow to its application whenever its status or inventory changes. */
export const revisionReportSignal = defineSignal<[RevisionReport]>('revisionReport');

// ---------------------------------------------------------------------------------------------
// Revision workflow: `rev/<ns>/<app>-v<N>`

export interface RevisionWorkflowInput {
  app: { namespace: string; name: string };
  revision: Omit<RevisionMetadata, 'status' | 'succeeded' | 'endTime' | 'beginTime'>;
  snapshot: RevisionSnapshot;
  /** The entity to report to. */
  applicationWorkflowId: string;
  /** What the application has applied and not collected, for garbage collection after success. */
  inventory: InventoryEntry[];
  /** Restart from this step. */
  restartFromStep?: string;
  settings: EngineSettings;
  /**
   * This run's write fence (docs/fencing.md): clusters refuse its writes once a later run or a
   * rollback of the application has written. Absent for runs started before fencing.
   */
  fence?: number;
  /**
   * The run ends without a final report when it ends by its own steps: its result tells the
   * entity run that started it, which watches it (`Patch.reportByResult`). Before that entity run
   * continues as new it sends {@link reportBySignal}, and from then on the run reports by signal.
   * Stops (terminate, supersede) always report by signal. Absent for runs started before `Patch.reportByResult`.
   */
  reportByResult?: boolean;
}

/**
 * What a revision run returns (the Temporal UI's Result panel): how it ended, what it applied
 * where, and the health it last saw. A run superseded by the entity ends as Canceled instead.
 */
export interface RevisionResult {
  revision: string;
  status: RevisionStatus;
  message?: string;
  steps: StepStatus[];
  applied: InventoryEntry[];
  deleted: InventoryEntry[];
  health: ComponentHealth[];
  /** When the run ended (absent in results of runs before `Patch.reportByResult`). */
  endTime?: string;
}

export interface RevisionRunStatus {
  revision: string;
  status: RevisionStatus;
  message?: string;
  mode: { steps: 'StepByStep' | 'DAG'; subSteps: 'StepByStep' | 'DAG' };
  suspended: boolean;
  terminated: boolean;
  finished: boolean;
  steps: StepStatus[];
  /** Last known health per component and cluster. */
  health: ComponentHealth[];
  startTime: string;
  endTime?: string;
}

export interface StepOperationRequest {
  /** One step (suspend or resume only it). @default the whole workflow */
  step?: string;
}

export interface TerminateRequest {
  reason?: string;
}

export const revisionStatusQuery = defineQuery<RevisionRunStatus>('revisionStatus');
export const suspendUpdate = defineUpdate<OperationResult, [StepOperationRequest]>('suspend');
export const resumeUpdate = defineUpdate<OperationResult, [StepOperationRequest]>('resume');
export const terminateUpdate = defineUpdate<OperationResult, [TerminateRequest]>('terminate');
/** Sent by the entity before it cancels a revision, so the revision can say why it stopped. */
export const supersedeSignal =
  defineSignal<[{ by: string; reason: 'superseded' | 'rolled back' | 'restarted' }]>('supersede');
/**
 * Sent by the entity run that started a revision run with `reportByResult`, before it continues as
 * new (the next entity run does not see this run's close): report by signal from now on. That it
 * was delivered is enough: a run cannot close before it has handled it.
 */
export const reportBySignal = defineSignal('reportBySignal');

// ---------------------------------------------------------------------------------------------
// Catalog: `catalog/<ns>`

export type CatalogDocument = Exclude<RevelaDocument, Application>;

export interface CatalogApplyRequest {
  documents: CatalogDocument[];
  requestId?: string;
}

export interface CatalogChange {
  kind: string;
  name: string;
  change: 'created' | 'configured' | 'unchanged' | 'deleted';
}

export interface CatalogDeleteRequest {
  kind: CatalogDocument['kind'];
  name: string;
}

export const catalogApplyUpdate = defineUpdate<CatalogChange[], [CatalogApplyRequest]>('catalogApply');
export const catalogDeleteUpdate = defineUpdate<CatalogChange, [CatalogDeleteRequest]>('catalogDelete');
export const catalogQuery = defineQuery<CatalogView>('catalog');
