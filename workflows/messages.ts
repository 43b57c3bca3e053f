/**
 * The message contract of Revela's workflows: every update, query and signal with its request and
 * answer types. Clients, workflows and tests import these definitions, never the raw names.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Application } from '../model/application.js';
import { objectKey } from '../model/kube-object.js';
import type { CatalogView } from '../model/catalog-view.js';
import type { RevelaDocument } from '../model/document.js';
import type { RevisionMetadata, RevisionStatus } from '../model/revision.js';
import type { RevisionSnapshot } from '../model/snapshot.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** One object Revela applied to one cluster and has not collected yet. */
export interface InventoryEntry {
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The revision that applied it last. */
  revision: string;
}

/** Identifies an inventory entry's object: the same object applied by two revisions is one entry. */
export function inventoryKey(
  e: Pick<InventoryEntry, 'cluster' | 'apiVersion' | 'kind' | 'namespace' | 'name'>,
): string {
  return objectKey(e.cluster, e);
}

/** KubeVela's step phases. */
export type StepPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'suspending';

/** One step (or sub-step) of a revision's workflow, as `status` shows it. */
export interface StepStatus {
  id: string;
  name: string;
  type: string;
  phase: StepPhase;
  message?: string;
  /** `Timeout`, `Terminate`, `Superseded`, `Skip`, `Approval`, … */
  reason?: string;
  firstExecuteTime?: string;
  lastExecuteTime?: string;
  subSteps?: StepStatus[];
}

/** Health of one component on one cluster (KubeVela's Services section). */
export interface ComponentHealth {
  cluster: string;
  namespace: string;
  component: string;
  type: string;
  healthy: boolean;
  message: string;
  traits: string[];
}

/** KubeVela's application phases. */
export type ApplicationPhase =
  | 'starting'
  | 'rendering'
  | 'runningWorkflow'
  | 'workflowSuspending'
  | 'workflowTerminated'
  | 'workflowFailed'
  | 'running'
  | 'unhealthy';

/** Tunables of the engine, fixed when an application entity is created. */
export interface EngineSettings {
  /** First interval between health checks. @default 1000 */
  healthIntervalMs: number;
  /** Cap on the interval between health checks. @default 10000 */
  healthMaxIntervalMs: number;
  /** How long supersession waits for the running revision to acknowledge cancellation before terminating it. @default 30000 */
  supersedeTimeoutMs: number;
  /** Continue-as-new after this many updates in one run (always after all handlers finished). @default 500 */
  maxUpdatesPerRun: number;
  /** Revisions kept when no `garbage-collect` policy says otherwise. @default 10 */
  revisionLimit: number;
  /** Budget for the entity's retained snapshots, in bytes of canonical JSON. @default 1.5 MiB */
  stateBudgetBytes: number;
  /** Start-to-close timeout of one activity attempt: how long a crashed worker's attempt blocks a retry. @default 30000 */
  activityTimeoutMs: number;
  /** Heartbeat timeout of cluster writes: how soon a crashed worker's apply is retried elsewhere. @default 20000 */
  heartbeatTimeoutMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  healthIntervalMs: 1000,
  healthMaxIntervalMs: 10_000,
  supersedeTimeoutMs: 30_000,
  maxUpdatesPerRun: 500,
  revisionLimit: 10,
  stateBudgetBytes: 1.5 * 1024 * 1024,
  activityTimeoutMs: 30_000,
  heartbeatTimeoutMs: 20_000,
};

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

export interface OperationResult {
  revision: string;
  message: string;
}

export interface AuditEntry {
  time: string;
  action: 'apply' | 'publish' | 'republish' | 'rollback' | 'restart' | 'supersede' | 'finish' | 'prune';
  revision?: string;
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
}

export interface RevisionDetail {
  metadata: RevisionMetadata;
  snapshot: RevisionSnapshot;
}

export const applyUpdate = defineUpdate<ApplyResult, [ApplyRequest]>('apply');
export const publishUpdate = defineUpdate<PublishedRevision, [PublishRequest]>('publish');
export const rollbackUpdate = defineUpdate<RollbackResult, [RollbackRequest]>('rollback');
export const restartUpdate = defineUpdate<OperationResult, [RestartRequest]>('restart');
export const statusQuery = defineQuery<ApplicationStatus>('status');
export const revisionQuery = defineQuery<RevisionDetail, [string]>('revision');
/** Just the revision index (what `revision list` shows), without the draft, inventory and audit. */
export const revisionsQuery = defineQuery<RevisionMetadata[]>('revisions');

/** Sent by a revision workflow to its application whenever its status or inventory changes. */
export interface RevisionReport {
  revision: string;
  /** Run id of the reporting run: a restarted revision's old run must not overwrite the new one. */
  runId: string;
  status: RevisionStatus;
  message?: string;
  endTime?: string;
  /** Objects applied since the last report. */
  applied?: InventoryEntry[];
  /** Objects deleted by garbage collection. */
  deleted?: InventoryEntry[];
}
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
