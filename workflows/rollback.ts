import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { EngineSettings } from '../model/engine-settings.js';
import { inventoryKey, withoutEntries, type InventoryEntry } from '../model/inventory.js';
import { objectLabel } from '../model/kube-object.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import * as acts from './activities.js';
import { settleAll } from './lanes.js';
import { garbageScope } from '../model/ownership-scope.js';

export interface RollbackWorkflowInput {
  app: { namespace: string; name: string };
  /** The revision rolled back from. */
  from: string;
  /** The revision rolled back to; `snapshot` is its snapshot. */
  to: string;
  snapshot: RevisionSnapshot;
  /** What the application has applied and not collected: what the target does not render is deleted. */
  inventory: InventoryEntry[];
  settings: EngineSettings;
  /** This rollback's write fence (docs/fencing.md). */
  fence: number;
}

/** How a rollback ended: what it applied and deleted, also when it failed part way. */
export interface RollbackRunResult {
  status: 'Succeeded' | 'Failed';
  message?: string;
  applied: InventoryEntry[];
  deleted: InventoryEntry[];
}

/** Objects applied in parallel across clusters, in order within one. */
const CLUSTER_PARALLELISM = 5;

function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * `rollback/<ns>/<app>/<n>`: returns the clusters to a succeeded revision without running any of
 * its steps — re-applies its rendered objects (fenced, so a stopped revision's late write cannot
 * land over them), then collects what newer revisions added. Its own workflow, so it shows in the
 * Temporal UI with its activities, and the entity's update only waits for its result.
 */
export async function rollback(input: RollbackWorkflowInput): Promise<RollbackRunResult> {
  const compute = acts.computeActivities(input.settings);
  const cluster = acts.clusterActivities(input.settings);
  const applied: InventoryEntry[] = [];
  const deleted: InventoryEntry[] = [];
  const failed = (err: unknown): RollbackRunResult => ({
    status: 'Failed',
    message: failureMessage(err),
    applied,
    deleted,
  });

  let resources;
  try {
    resources = await compute.renderRevision({ snapshot: input.snapshot, revision: input.to });
  } catch (err) {
    return failed(err);
  }
  const byCluster = new Map<string, typeof resources>();
  for (const r of resources) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
  try {
    await settleAll([...byCluster.keys()], CLUSTER_PARALLELISM, async (name) => {
      for (const { object, ownership } of byCluster.get(name) ?? []) {
        applied.push(
          await cluster.applyResource.executeWithOptions(
            {
              summary: `rollback: apply ${objectLabel({ kind: object.kind, name: object.metadata.name })} → ${name}`,
            },
            [
              {
                cluster: name,
                object,
                revision: input.to,
                fence: input.fence,
                ...(ownership ? { ownership } : {}),
              },
            ],
          ),
        );
      }
    });
  } catch (err) {
    return failed(err);
  }
  const stale = withoutEntries(input.inventory, applied);
  if (stale.length > 0) {
    try {
      deleted.push(
        ...(await cluster.collectGarbage.executeWithOptions(
          { summary: `rollback: collect ${stale.length} object(s) newer than ${input.to}` },
          [{ entries: stale, fence: input.fence, scope: garbageScope(input.snapshot.application) }],
        )),
      );
    } catch (err) {
      return failed(err);
    }
    if (deleted.length < stale.length) {
      const left = withoutEntries(stale, deleted).map(inventoryKey);
      return failed(ApplicationFailure.nonRetryable(`objects not collected: ${left.join(', ')}`));
    }
  }
  return { status: 'Succeeded', applied, deleted };
}
