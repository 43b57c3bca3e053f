/**
 * Syncs one Policy, Workflow or definition object into its namespace's catalog with the same
 * `RevelaClient.apply` as `revela apply` / `revela def apply` (definitions in `vela-system` are
 * shared, as in KubeVela), and removes it from the catalog when the object is deleted. Its
 * `.status.conditions` say whether the catalog holds it, or the typed error why not.
 */
import { parseDocument } from '../model/document.js';
import type { CatalogDocument } from '../workflows/messages.js';
import type { ReconcilerDeps } from './application-reconciler.js';
import { conditionsOf, mergeConditions } from './conditions.js';
import { FINALIZER, type OamObject } from './hub.js';
import { objectFault } from './sync-errors.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The object as a catalog document: no status, no kubectl bookkeeping. */
function catalogDocument(object: OamObject): CatalogDocument {
  const { status: _status, ...rest } = object;
  const doc = parseDocument(rest) as CatalogDocument;
  const annotations = doc.metadata.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const copy = { ...annotations };
    delete copy[LAST_APPLIED];
    doc.metadata.annotations = copy;
  }
  return doc;
}

/** @returns whether the catalog changed (so applications of the namespace are synced again) */
export async function reconcileCatalogObject(deps: ReconcilerDeps, object: OamObject): Promise<boolean> {
  const { hub, client, events } = deps;
  const { namespace, name } = object.metadata;
  const finalizers = object.metadata.finalizers ?? [];
  if (object.metadata.deletionTimestamp) {
    if (!finalizers.includes(FINALIZER)) return false;
    await client.deleteFromCatalog({ namespace, kind: object.kind as CatalogDocument['kind'], name });
    await hub.setFinalizers(
      object,
      finalizers.filter((f) => f !== FINALIZER),
    );
    return true;
  }
  if (!finalizers.includes(FINALIZER)) await hub.setFinalizers(object, [...finalizers, FINALIZER]);
  let ready: { ok: boolean; reason: string; message: string };
  let changed = false;
  try {
    const [outcome] = await client.apply([catalogDocument(object)]);
    changed = outcome?.result !== 'unchanged';
    ready = { ok: true, reason: 'InCatalog', message: outcome?.message ?? 'stored in the catalog' };
  } catch (err) {
    const fault = objectFault(err);
    if (!fault) throw err;
    ready = { ok: false, reason: fault.reason, message: fault.message };
    await events.record(object, 'Warning', fault.reason, fault.message);
  }
  deps.logChange(
    `${object.kind}/${namespace}/${name}`,
    `${object.kind} ${namespace}/${name}: ${ready.reason}: ${ready.message}`,
  );
  const generation = object.metadata.generation;
  await hub.patchStatus(object, {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: mergeConditions(
      conditionsOf(object.status),
      [
        {
          type: 'Ready',
          status: ready.ok ? 'True' : 'False',
          reason: ready.reason,
          message: ready.message,
          ...(generation !== undefined ? { observedGeneration: generation } : {}),
        },
      ],
      new Date().toISOString(),
    ),
  });
  return changed;
}
