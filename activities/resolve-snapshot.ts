import { buildSnapshot, referencedObjectRefs } from '../model/snapshot-builder.js';
import { LOCAL_CLUSTER } from '../model/cluster-info.js';
import { checkReferencedClusters } from '../model/ref-objects.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { ActivityDeps } from './deps.js';
import { readMergedCatalog } from '../client/read-catalog.js';
import { renderRevisionSteps } from '../model/step-render.js';
import type { ResolveSnapshotInput } from './types.js';

/**
 * Turns an application into an immutable snapshot: reads the catalog (built-ins, `vela-system`,
 * the app's namespace) and the objects `ref-objects` points at, validates everything, and
 * renders every deploy step once as a dry run so placement and template errors surface at
 * publish time — before a revision number is taken.
 */
export async function resolveSnapshot(
  deps: ActivityDeps,
  input: ResolveSnapshotInput,
): Promise<RevisionSnapshot> {
  const { application } = input;
  const namespace = application.metadata.namespace ?? 'default';
  const catalog = deps.readCatalog
    ? await deps.readCatalog(namespace)
    : await readMergedCatalog(deps.temporal, namespace);
  checkReferencedClusters(
    application,
    deps.registry.list().map((c) => c.name),
  );
  // An object that is not there is left out: buildSnapshot then names the entry that reads it
  // (`spec.components[0].properties.objects[1]`), the same error the client's preflight gives.
  const referencedObjects = await Promise.all(
    referencedObjectRefs(application).map(async ({ cluster, ref }) => {
      const name = cluster ?? LOCAL_CLUSTER;
      const object = await deps.registry.client(name).read(ref);
      return object ? [{ cluster: name, object }] : [];
    }),
  );
  const snapshot = buildSnapshot({ application, catalog, referencedObjects: referencedObjects.flat() });
  await renderRevisionSteps(snapshot, 'dry-run', deps.registry.list());
  return snapshot;
}
