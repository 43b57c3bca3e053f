import type { ClusterClient } from '../kube/cluster-client.js';
import { updateHolders } from '../kube/shared-holders.js';
import { decideGarbage, gcRuleFor, type GarbageDecision } from '../model/garbage-decision.js';
import type { InventoryEntry } from '../model/inventory.js';
import type { KubeObject, ObjectRef } from '../model/kube-object.js';
import { fieldManagerFor } from '../model/ownership-metadata.js';
import type { GarbageScope } from '../model/ownership-scope.js';
import { factsOf } from '../model/resource-selector.js';

/** What collecting one object did. */
export type CollectOutcome = 'deleted' | 'gone' | 'replaced' | 'released' | 'forgotten' | 'kept';

function refOfEntry(entry: InventoryEntry): ObjectRef {
  return {
    apiVersion: entry.apiVersion,
    kind: entry.kind,
    name: entry.name,
    ...(entry.namespace !== undefined ? { namespace: entry.namespace } : {}),
  };
}

function decide(live: KubeObject | undefined, scope: GarbageScope): GarbageDecision {
  const rule = live ? gcRuleFor(scope.rules ?? [], factsOf(live, scope.componentTypes)) : undefined;
  return decideGarbage({
    live,
    app: scope.app,
    ...(rule?.strategy ? { strategy: rule.strategy } : {}),
    ...(rule?.propagation ? { propagation: rule.propagation } : {}),
  });
}

/**
 * Collects one object the application no longer renders, under the ownership rules
 * ({@link decideGarbage}): deletes it only when the application owns it and only that very object
 * (uid precondition); a shared object is released to its other holders; another application's
 * object is left alone.
 */
export async function collectOwned(
  client: ClusterClient,
  entry: InventoryEntry,
  scope: GarbageScope,
  signal?: AbortSignal,
): Promise<CollectOutcome> {
  const ref = refOfEntry(entry);
  const opts = signal ? { signal } : {};
  const live = await client.read(ref, opts);
  const decision = decide(live, scope);
  switch (decision.action) {
    case 'gone':
      return 'gone';
    case 'forget':
      return 'forgotten';
    case 'keep':
      return 'kept';
    case 'delete': {
      const deleted = await client.delete(ref, {
        propagationPolicy: decision.propagation,
        ...(decision.uid !== undefined ? { uid: decision.uid } : {}),
        ...opts,
      });
      return deleted ? 'deleted' : live ? 'replaced' : 'gone';
    }
    case 'release': {
      const seen: { last: GarbageDecision } = { last: decision };
      await updateHolders(
        client,
        ref,
        (l) => {
          // Decided again on every read: a holder may have left (or joined) in between.
          const now = decide(l, scope);
          seen.last = now;
          if (now.action !== 'release') return undefined;
          return {
            holders: now.holders,
            ...(now.newOwner ? { owner: now.newOwner, dropManager: fieldManagerFor(scope.app) } : {}),
          };
        },
        { ...opts, ...(live ? { live } : {}) },
      );
      // The last holder but this one left in between: it is this application's to delete now.
      if (seen.last.action === 'delete') return collectOwned(client, entry, scope, signal);
      return seen.last.action === 'release' ? 'released' : 'forgotten';
    }
  }
}
