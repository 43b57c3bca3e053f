import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { stateKeepWorkflowId } from '../model/ids.js';
import { currentRevision, removeInventory } from '../model/revision-history.js';
import { garbageScope } from '../model/ownership-scope.js';
import { isFinalStatus } from '../model/revision.js';
import { nextFence, type EntityContext } from './entity-context.js';
import type { DeleteResult } from './messages.js';
import { supersede } from './supersede.js';

/**
 * Deletes the application (the Application object's finalizer, `revela` clients): stops the
 * running revision as a publish would, stops state keep so nothing re-applies what is collected,
 * then collects every object the inventory records through the garbage-collection activity —
 * under the ownership rules and a fresh write fence, so a stopped run's late write cannot land
 * after it. Only then is the entity marked deleted; the workflow function ends it once every
 * handler finished. Called under the mutex; a new handler, so no recorded history changes.
 */
export async function deleteAction(ctx: EntityContext): Promise<DeleteResult> {
  const { state } = ctx;
  const current = currentRevision(state);
  let stopped: string | undefined;
  if (current && !isFinalStatus(current.status)) {
    await supersede(ctx, current, 'deletion', 'superseded');
    stopped = current.name;
  }
  if (state.stateKeepStarted) {
    // Already closed (terminated from outside, or never woke up again): nothing to stop.
    await getExternalWorkflowHandle(stateKeepWorkflowId(state.namespace, state.name))
      .cancel()
      .catch(() => undefined);
  }
  const entries = [...state.inventory];
  const app = current ? state.snapshots[current.name]?.application : state.draft;
  const fence = nextFence(state);
  const collected =
    entries.length === 0
      ? []
      : await ctx.callActivity(() =>
          ctx.cluster.collectGarbage.executeWithOptions(
            { summary: `delete: collect ${entries.length} object(s) of ${state.namespace}/${state.name}` },
            [{ entries, fence, ...(app ? { scope: garbageScope(app) } : {}) }],
          ),
        );
  removeInventory(state, collected);
  const now = new Date().toISOString();
  state.deleted = { at: now, collected: collected.length };
  const message =
    `deleted ${state.namespace}/${state.name}: ${collected.length} object(s) collected` +
    (stopped ? `, ${stopped} stopped` : '') +
    (state.inventory.length > 0 ? `, ${state.inventory.length} left to a later writer` : '');
  ctx.audit('delete', current?.name, message);
  ctx.publishVisibility();
  return {
    ...(stopped ? { stopped } : {}),
    collected: collected.length,
    left: state.inventory.length,
    message,
  };
}
