/**
 * The inventory: what an application has applied and not collected yet. Shared by the entity
 * (which keeps it), revision and rollback runs (which add to it) and the activities that apply and
 * collect objects.
 *
 * Workflow-safe.
 */
import { objectKey } from './kube-object.js';

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

/** `entries` added to (or replacing, by key) those of `inventory`, in first-seen order. */
export function withEntries(
  inventory: readonly InventoryEntry[],
  entries: readonly InventoryEntry[],
): InventoryEntry[] {
  const byKey = new Map(inventory.map((e) => [inventoryKey(e), e]));
  for (const e of entries) byKey.set(inventoryKey(e), e);
  return [...byKey.values()];
}

/** `inventory` without the objects of `entries`. */
export function withoutEntries(
  inventory: readonly InventoryEntry[],
  entries: readonly InventoryEntry[],
): InventoryEntry[] {
  const gone = new Set(entries.map(inventoryKey));
  return inventory.filter((e) => !gone.has(inventoryKey(e)));
}
