import { patched, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { appKey, rollbackWorkflowId } from '../model/ids.js';
import { inventoryKey } from '../model/inventory.js';
import {
  addInventory,
  currentRevision,
  recordRollback,
  recordRolledBack,
  removeInventory,
  requireRevision,
  rollbackTarget,
} from '../model/revision-history.js';
import { isFinalStatus, type RevisionMetadata } from '../model/revision.js';
import { nextFence, type EntityContext } from './entity-context.js';
import { reject, RejectionType, rule } from './failures.js';
import type { RollbackRequest, RollbackResult } from './messages.js';
import { Patch } from './patches.js';
import { rollback as rollbackWorkflow } from './rollback.js';
import { RevelaApp, RevelaRevision } from './search-attributes.js';
import { supersede } from './supersede.js';
import { keepState } from './state-keep-wiring.js';
import { garbageScope } from '../model/ownership-scope.js';

/**
 * Returns the clusters to a succeeded revision without running any step. Allowed while a revision
 * runs (it is stopped first). The work runs in its own `rollback` workflow; the entity records the
 * outcome only after it: the abandoned revision reads `RolledBack` and the target is current once
 * every object is applied and what newer revisions added is collected. Called under the mutex.
 */
export async function rollbackAction(ctx: EntityContext, req: RollbackRequest): Promise<RollbackResult> {
  const { state } = ctx;
  const target = rule(() => rollbackTarget(state, req.to));
  const from = currentRevision(state);
  if (!from) throw reject(RejectionType.RevisionNotRunning, 'nothing to roll back from');
  const diff = await ctx.callActivity(() =>
    ctx.compute.diffRevisions({
      base: { snapshot: requireRevision(state, from.name).snapshot, revision: from.name },
      target: { snapshot: requireRevision(state, target.name).snapshot, revision: target.name },
    }),
  );
  if (req.dryRun) return { from: from.name, to: target.name, dryRun: true, diff, applied: 0, deleted: 0 };
  if (!patched(Patch.rollbackWorkflow)) return inlineRollback(ctx, from, target, diff);

  if (!isFinalStatus(from.status)) {
    await supersede(ctx, from, target.name, 'rolled back');
    // The stopped run calls itself RolledBack; the history says so only once the rollback worked.
    if (from.status === 'RolledBack') from.status = 'Terminated';
    from.description = `stopped for a rollback to ${target.name}`;
  }
  const fence = nextFence(state);
  const handle = await startChild(rollbackWorkflow, {
    workflowId: rollbackWorkflowId(state.namespace, state.name, fence),
    args: [
      {
        app: { namespace: state.namespace, name: state.name },
        from: from.name,
        to: target.name,
        snapshot: requireRevision(state, target.name).snapshot,
        inventory: state.inventory,
        settings: state.settings,
        fence,
      },
    ],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    staticSummary: `rollback of ${appKey(state.namespace, state.name)} from ${from.name} to ${target.name}`,
    typedSearchAttributes: [
      { key: RevelaApp, value: appKey(state.namespace, state.name) },
      { key: RevelaRevision, value: target.name },
    ],
  });
  const outcome = await handle.result();
  const now = new Date().toISOString();
  if (outcome.status !== 'Succeeded') {
    addInventory(state, outcome.applied);
    removeInventory(state, outcome.deleted);
    from.description = `rollback to ${target.name} failed: ${outcome.message ?? 'unknown error'}`;
    ctx.audit(
      'rollback',
      target.name,
      `rollback from ${from.name} to ${target.name} failed: ${outcome.message}`,
    );
    ctx.publishVisibility();
    throw reject(
      RejectionType.RollbackFailed,
      `rollback to ${target.name} failed: ${outcome.message} — ${outcome.applied.length} object(s) applied, ${outcome.deleted.length} deleted; ${from.name} stays current, run the rollback again`,
    );
  }
  recordRollback(state, {
    from,
    target: target.name,
    applied: outcome.applied,
    deleted: outcome.deleted,
    now,
  });
  state.currentFence = fence;
  ctx.audit('rollback', target.name, `rolled back from ${from.name} to ${target.name}`);
  ctx.publishVisibility();
  await keepState(ctx);
  return {
    from: from.name,
    to: target.name,
    dryRun: false,
    diff,
    applied: outcome.applied.length,
    deleted: outcome.deleted.length,
  };
}

/**
 * 0.1.0's rollback, inside the update handler, kept for histories recorded before rollbacks had
 * their own workflow: the same commands in the same order.
 */
async function inlineRollback(
  ctx: EntityContext,
  from: RevisionMetadata,
  target: RevisionMetadata,
  diff: string,
): Promise<RollbackResult> {
  const { state } = ctx;
  if (!isFinalStatus(from.status)) await supersede(ctx, from, target.name, 'rolled back');
  recordRolledBack(from, target.name, new Date().toISOString());
  const { snapshot } = requireRevision(state, target.name);
  const resources = await ctx.callActivity(() =>
    ctx.compute.renderRevision({ snapshot, revision: target.name }),
  );
  const keep = new Set<string>();
  for (const { cluster, object, ownership } of resources) {
    const entry = await ctx.cluster.applyResource.executeWithOptions(
      { summary: `rollback: apply ${object.kind}/${object.metadata.name} → ${cluster}` },
      [{ cluster, object, revision: target.name, ...(ownership ? { ownership } : {}) }],
    );
    keep.add(inventoryKey(entry));
    addInventory(state, [entry]);
  }
  const stale = state.inventory.filter((e) => !keep.has(inventoryKey(e)));
  const deleted =
    stale.length === 0
      ? []
      : await ctx.cluster.collectGarbage.executeWithOptions(
          { summary: `rollback: collect ${stale.length} object(s) newer than ${target.name}` },
          [{ entries: stale, scope: garbageScope(snapshot.application) }],
        );
  removeInventory(state, deleted);
  state.current = target.name;
  ctx.audit('rollback', target.name, `rolled back from ${from.name} to ${target.name}`);
  ctx.publishVisibility();
  return {
    from: from.name,
    to: target.name,
    dryRun: false,
    diff,
    applied: resources.length,
    deleted: deleted.length,
  };
}
