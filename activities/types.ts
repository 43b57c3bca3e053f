import type { Application } from '../model/application.js';
import type { KubeObject } from '../model/kube-object.js';
import type { ApplyPhase, ResourceOwnership } from '../model/ownership.js';
import type { GarbageScope } from '../model/ownership-scope.js';
import type { HealthTarget, StepRenderRequest } from '../model/step-render.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { InventoryEntry } from '../model/inventory.js';
import type { RevisionStatus } from '../model/revision.js';
import type { ComponentHealth } from '../model/step-status.js';

/** Failure types activities raise; workflows list the permanent ones as non-retryable. */
export const ActivityFailureType = {
  /** A deploy target is not healthy yet (retryable; the message says why). */
  NotHealthy: 'NotHealthy',
  /** A Kubernetes call failed in a way that retrying may fix (5xx, 429, timeouts, refused). */
  KubeRetryable: 'KubeRetryable',
  /** A Kubernetes call failed permanently (400, 403, 404, 409 conflict, 422). */
  KubePermanent: 'KubePermanent',
  /** The snapshot's rendered output is not a valid object (missing kind or name). */
  InvalidRenderedObject: 'InvalidRenderedObject',
  /** A Secret read by ref-objects no longer has the data its revision was published with. */
  SecretChanged: 'SecretChanged',
  /**
   * `resolveKeptSnapshot` (a local activity) cannot resolve alone: a catalog must be queried or a
   * cluster read; the entity resolves with the regular activity instead. Never shown to users.
   */
  ResolveNeedsActivity: 'ResolveNeedsActivity',
} as const;

export type { HealthTarget, RenderedStep } from '../model/step-render.js';

export interface ResolveSnapshotInput {
  application: Application;
}

/** What one deploy or apply-component step deploys. */
export type RenderStepInput = StepRenderRequest;

export interface RenderRevisionInput {
  snapshot: RevisionSnapshot;
  revision: string;
}

export interface ApplyResourceInput {
  cluster: string;
  object: KubeObject;
  revision: string;
  /**
   * The writer's fence (docs/fencing.md): the write is refused with `Superseded` when the object
   * carries a larger one. Absent for runs started before fencing: they write unfenced.
   */
  fence?: number;
  /** What the application's ownership policies say about the object (from the render). */
  ownership?: ResourceOwnership;
  /** A state-keep repair (apply-once `onStateKeep` rules hold) or a deploy. @default 'deploy' */
  phase?: ApplyPhase;
}

export interface CheckHealthInput {
  cluster: string;
  revision: string;
  targets: HealthTarget[];
}

export interface CollectGarbageInput {
  entries: InventoryEntry[];
  /** As for applies: an object a later writer holds is left alone. */
  fence?: number;
  /**
   * The collecting application and its garbage-collect rules: only objects it owns are deleted.
   * Absent for runs started before ownership: they collect as before.
   */
  scope?: GarbageScope;
}

export interface DiffRevisionsInput {
  base: { snapshot: RevisionSnapshot; revision: string };
  target: { snapshot: RevisionSnapshot; revision: string };
}

export interface TerminateWorkflowInput {
  workflowId: string;
  runId?: string;
  reason: string;
}

/** Details carried by a `NotHealthy` failure, read back by `revela status` while a step waits. */
export interface NotHealthyDetails {
  cluster: string;
  health: ComponentHealth[];
}

/**
 * What a health wait heartbeats while it looks again within one attempt: the message and details
 * its `NotHealthy` failure would carry now, so `revela status` and a step's timeout message say
 * why it waits before the attempt ends.
 */
export interface HealthHeartbeat {
  message: string;
  details: NotHealthyDetails;
}

export interface WaitingReasonsInput {
  workflowId: string;
  runId: string;
}

export interface DescribeWorkflowInput {
  workflowId: string;
  runId?: string;
}

/** A revision run as Temporal sees it: open, or closed with how it ended. */
export interface WorkflowState {
  open: boolean;
  /** `Executing` while open. */
  status: RevisionStatus;
  message: string;
  /**
   * What the run recorded in its memo as applied (runs since `Patch.reportAtEnd` report it only at their end):
   * added to the inventory when the run ended without reporting. Absent for older runs.
   */
  applied?: InventoryEntry[];
}
