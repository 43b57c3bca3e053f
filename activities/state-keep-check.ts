import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { componentHealth } from '../kube/component-health.js';
import { driftPaths } from '../model/drift.js';
import { parseDuration } from '../model/duration.js';
import { ANNOTATION_FENCE } from '../model/fence.js';
import { refOf, type KubeObject } from '../model/kube-object.js';
import { decideApply } from '../model/ownership.js';
import { ownerOf } from '../model/ownership-metadata.js';
import { ownershipPoliciesOf } from '../model/ownership-policies.js';
import { secretReferenceSource } from '../model/ref-objects.js';
import type { RenderedResource } from '../model/rendered-resource.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { renderRevisionSteps } from '../model/step-render.js';
import type { ComponentHealth } from '../model/step-status.js';
import { revisionQuery, statusQuery } from '../workflows/messages.js';

export interface StateKeepCheckInput {
  applicationWorkflowId: string;
  /** Between checks when no `state-keep` policy says otherwise. */
  defaultIntervalMs: number;
}

/** One object that is not as its revision applied it. */
export interface DriftedObject {
  cluster: string;
  /** The rendered object, to apply again. */
  resource: RenderedResource;
  drift: 'missing' | 'changed';
  /** Where it changed (`spec.replicas`), for `changed`. */
  paths: string[];
}

export interface StateKeepCheckResult {
  /** The revision kept: the entity's current one (empty when it has none). */
  revision: string;
  /**
   * The fence of the writer that made the revision current: restores carry it, so the objects of
   * a newer run or rollback refuse them, also one that took its fence before it became current.
   */
  fence?: number;
  checkedAt: string;
  /** Until the next check (the `state-keep` policy's interval, or the default). */
  intervalMs: number;
  /** False when a `state-keep` policy turns repairs off: drift is reported, not restored. */
  repair: boolean;
  /** Why nothing was checked (the revision is no longer current, or not succeeded). */
  skipped?: string;
  drifted: DriftedObject[];
  /** Objects the application can no longer write (another one owns them now), with why. */
  conflicts: string[];
  /** Live health of every component on every cluster. */
  health: ComponentHealth[];
}

/**
 * Snapshots of kept revisions, by entity and revision: a snapshot never changes, so each check
 * after the first costs one status query instead of a snapshot transfer.
 */
const snapshots = new Map<string, RevisionSnapshot>();
const MAX_CACHED_SNAPSHOTS = 64;

async function snapshotOf(temporal: Client, workflowId: string, revision: string): Promise<RevisionSnapshot> {
  const key = `${workflowId}/${revision}`;
  const cached = snapshots.get(key);
  if (cached) return cached;
  const { snapshot } = await temporal.workflow.getHandle(workflowId).query(revisionQuery, revision);
  if (snapshots.size >= MAX_CACHED_SNAPSHOTS) snapshots.delete(snapshots.keys().next().value as string);
  snapshots.set(key, snapshot);
  return snapshot;
}

/** Revela's own bookkeeping on a live object: the apply time (`revela.dev/*`) and the write fence. */
function isBookkeeping(annotation: string): boolean {
  return annotation.startsWith('revela.dev/') || annotation === ANNOTATION_FENCE;
}

/**
 * The object as Revela would send it now, with Revela's own bookkeeping annotations taken from
 * the live object — they are not drift.
 */
function asSentNow(desired: KubeObject, live: KubeObject): KubeObject {
  const kept = Object.entries(live.metadata.annotations ?? {}).filter(([k]) => isBookkeeping(k));
  if (kept.length === 0) return desired;
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...(desired.metadata.annotations ?? {}), ...Object.fromEntries(kept) },
    },
  };
}

async function checkObject(
  client: ClusterClient,
  resource: RenderedResource,
  signal: AbortSignal,
): Promise<{ drift?: DriftedObject; conflict?: string }> {
  const live = await client.read(refOf(resource.object), { signal });
  const app = ownerOf(resource.object);
  if (!app) return {};
  const decision = decideApply({
    desired: live ? asSentNow(resource.object, live) : resource.object,
    live,
    app,
    ...(resource.ownership ? { ownership: resource.ownership } : {}),
    phase: 'state-keep',
  });
  switch (decision.action) {
    case 'refuse':
      return { conflict: decision.error.message };
    case 'leave':
    case 'share':
      return {};
    case 'create':
      return { drift: { cluster: client.cluster, resource, drift: 'missing', paths: [] } };
    default: {
      // A Secret of ref-objects is rendered without its data; only its absence is drift here.
      if (!live || secretReferenceSource(resource.object)) return {};
      const wouldBe = await client.apply(
        {
          ...decision.body,
          metadata: { ...decision.body.metadata, resourceVersion: live.metadata.resourceVersion },
        },
        { dryRun: true, fieldManager: decision.fieldManager, force: decision.force, signal },
      );
      const paths = driftPaths(live, wouldBe);
      return paths.length === 0
        ? {}
        : { drift: { cluster: client.cluster, resource, drift: 'changed', paths } };
    }
  }
}

function intervalOf(snapshot: RevisionSnapshot, fallbackMs: number): { intervalMs: number; repair: boolean } {
  const policy = ownershipPoliciesOf(snapshot.application).stateKeep;
  let intervalMs = fallbackMs;
  if (policy?.interval) {
    try {
      intervalMs = Math.max(1000, parseDuration(policy.interval));
    } catch {
      // Refused at publish time; an older snapshot keeps the default.
    }
  }
  return { intervalMs, repair: policy?.enable !== false };
}

/**
 * One state-keep check of an application's current revision: renders it again, compares every
 * object with what is live (missing, or changed where the revision sets a field), and reads the
 * live health of every component. It writes nothing: the state-keep workflow restores each drifted
 * object with its own apply, so every repair is an activity of its own in the Temporal UI.
 */
export async function stateKeepCheck(
  registry: ClusterRegistry,
  temporal: Client,
  input: StateKeepCheckInput,
): Promise<StateKeepCheckResult> {
  const ctx = Context.current();
  const checkedAt = new Date().toISOString();
  const handle = temporal.workflow.getHandle(input.applicationWorkflowId);
  const status = await handle.query(statusQuery);
  const current = status.currentRevision;
  const revision = current?.name ?? '';
  // Entities that have not started or rolled back anything since `currentFence` was recorded
  // know only the latest fence.
  const fence = status.currentFence ?? status.fence;
  const base = {
    revision,
    checkedAt,
    drifted: [],
    conflicts: [],
    health: [],
    ...(fence !== undefined ? { fence } : {}),
  };
  if (current?.status !== 'Succeeded') {
    // A running revision is the one writing; a failed one is not what the user wants kept.
    return {
      ...base,
      intervalMs: input.defaultIntervalMs,
      repair: false,
      skipped: current ? `${current.name} is ${current.status}` : 'nothing is deployed yet',
    };
  }
  const snapshot = await snapshotOf(temporal, input.applicationWorkflowId, revision);
  const { intervalMs, repair } = intervalOf(snapshot, input.defaultIntervalMs);
  const steps = await renderRevisionSteps(snapshot, revision, registry.list());
  const drifted: DriftedObject[] = [];
  const conflicts: string[] = [];
  const health: ComponentHealth[] = [];
  for (const step of steps) {
    for (const resource of step.resources) {
      ctx.heartbeat();
      const result = await checkObject(registry.client(resource.cluster), resource, ctx.cancellationSignal);
      if (result.drift) drifted.push(result.drift);
      if (result.conflict) conflicts.push(`${resource.cluster}: ${result.conflict}`);
    }
    for (const [cluster, targets] of Object.entries(step.health)) {
      for (const target of targets) {
        health.push(
          await componentHealth(registry.client(cluster), target, { signal: ctx.cancellationSignal }),
        );
      }
    }
  }
  return { ...base, intervalMs, repair, drifted, conflicts, health };
}
