import { Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { InventoryEntry } from '../model/inventory.js';
import type { CollectGarbageInput } from './types.js';

/**
 * Deletes objects a newer revision no longer renders (background propagation, as kubectl does).
 * An object that is already gone counts as collected, so a retried attempt converges.
 */
export async function collectGarbage(
  registry: ClusterRegistry,
  input: CollectGarbageInput,
): Promise<InventoryEntry[]> {
  const ctx = Context.current();
  const deleted: InventoryEntry[] = [];
  for (const entry of input.entries) {
    ctx.heartbeat({ done: deleted.length, of: input.entries.length });
    if (ctx.cancellationSignal.aborted) break;
    await registry.client(entry.cluster).delete(entry, { propagationPolicy: 'Background' });
    deleted.push(entry);
  }
  return deleted;
}
