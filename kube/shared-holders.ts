import type { KubeObject, ObjectRef } from '../model/kube-object.js';
import { LABEL_APP_NAME, LABEL_APP_NAMESPACE } from '../model/labels.js';
import {
  ANNOTATION_SHARED_BY,
  formatHolders,
  SHARED_BY_FIELD_MANAGER,
  type AppRef,
} from '../model/ownership-metadata.js';
import type { ClusterClient } from './cluster-client.js';
import { KubeApiError } from './errors.js';

/** A change to who holds a shared object, decided from the live object. */
export interface HoldersChange {
  /** The holders to record; empty removes the annotation. */
  readonly holders: readonly AppRef[];
  /** Hand the object to this application (its owner labels). */
  readonly owner?: AppRef;
  /** Forget the fields this manager owned, so the next owner's applies do not conflict with them. */
  readonly dropManager?: string;
}

/** Read-modify-write rounds before a holders change gives up (each lost to a concurrent write). */
const ATTEMPTS = 5;

function patchFor(live: KubeObject, change: HoldersChange): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    resourceVersion: live.metadata.resourceVersion,
    annotations: { [ANNOTATION_SHARED_BY]: change.holders.length > 0 ? formatHolders(change.holders) : null },
  };
  if (change.owner) {
    metadata.labels = { [LABEL_APP_NAME]: change.owner.name, [LABEL_APP_NAMESPACE]: change.owner.namespace };
  }
  const managed = live.metadata.managedFields;
  if (change.dropManager !== undefined && Array.isArray(managed)) {
    metadata.managedFields = managed.filter(
      (e) => (e as { manager?: unknown }).manager !== change.dropManager,
    );
  }
  return metadata;
}

/**
 * Changes `app.oam.dev/shared-by` (and, when a holder hands the object on, its owner labels) with
 * a merge patch pinned to the resourceVersion it was computed from. Holders change from several
 * applications' activities at once; a lost race re-reads and decides again, so no holder is ever
 * dropped by another's write. `decide` returns undefined when nothing needs to change.
 *
 * @returns the object after the change; undefined when it is gone.
 */
export async function updateHolders(
  client: ClusterClient,
  ref: ObjectRef,
  decide: (live: KubeObject) => HoldersChange | undefined,
  options: { signal?: AbortSignal; live?: KubeObject } = {},
): Promise<KubeObject | undefined> {
  const signal = options.signal ? { signal: options.signal } : {};
  let live = options.live ?? (await client.read(ref, signal));
  for (let attempt = 1; live; attempt++) {
    const change = decide(live);
    if (!change) return live;
    try {
      return await client.mergePatch(ref, patchFor(live, change), {
        fieldManager: SHARED_BY_FIELD_MANAGER,
        ...signal,
      });
    } catch (err) {
      const stale = err instanceof KubeApiError && err.status === 409;
      if (!stale || attempt >= ATTEMPTS) throw err;
    }
    live = await client.read(ref, signal);
  }
  return undefined;
}
