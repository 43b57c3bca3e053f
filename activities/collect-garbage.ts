import { Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { InventoryEntry } from '../model/inventory.js';
import { fenceOf } from '../model/fence.js';
import { collectOwned } from './collect-owned.js';
import { placedClient } from './placed-cluster.js';
import type { CollectGarbageInput } from './types.js';

/**
 * Deletes objects a newer revision no longer renders (background propagation, as kubectl does),
 * only those the application owns (`collect-owned.ts`). An object that is already gone counts as
 * collected, so a retried attempt converges. Returns the entries that leave the inventory.
 */
export async function collectGarbage(
  registry: ClusterRegistry,
  input: CollectGarbageInput,
): Promise<InventoryEntry[]> {
  const ctx = Context.current();
  const deleted: InventoryEntry[] = [];
  for (const entry of input.entries) {
    ctx.heartbeat({ done: deleted.length, of: input.entries.length });
    // Cancelled part way: the run is stopping, and a partial cleanup is not a success.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const client = placedClient(registry, entry.cluster, entry.revision);
    if (input.fence !== undefined) {
      const live = await client.read(entry, { signal: ctx.cancellationSignal });
      if (fenceOf(live) > input.fence) {
        // A later run or a rollback wrote it since: it is theirs now, and stays in the inventory.
        ctx.log.info(`${entry.kind}/${entry.name} on ${entry.cluster}: written by a later run, not deleted`);
        continue;
      }
    }
    if (input.scope) {
      const outcome = await collectOwned(client, entry, input.scope, ctx.cancellationSignal);
      if (outcome !== 'deleted' && outcome !== 'gone')
        ctx.log.info(`${entry.kind}/${entry.name} on ${entry.cluster}: ${outcome}, not deleted`);
      // Every outcome leaves the inventory: Revela has no application delete yet, so an object
      // kept `onAppDelete` is left in place like one kept `never`.
      deleted.push(entry);
      continue;
    }
    await client.delete(entry, { propagationPolicy: 'Background' });
    deleted.push(entry);
  }
  return deleted;
}
