import { buildSnapshot } from '../model/snapshot-builder.js';
import { checkReferencedClusters, readReferencedObjects } from '../model/ref-objects.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { ActivityDeps } from './deps.js';
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
  const catalog = await deps.readCatalog(namespace);
  checkReferencedClusters(
    application,
    deps.registry.list().map((c) => c.name),
  );
  const referencedObjects = await readReferencedObjects(application, {
    read: (cluster, ref) => deps.registry.client(cluster).read(ref),
    list: (cluster, query) => deps.registry.client(cluster).list(query),
  });
  const built = buildSnapshot({ application, catalog, referencedObjects });
  // Placement is decided now: the revision renders against the clusters registered at publish.
  const clusters = deps.registry.list().map((c) => ({ name: c.name, labels: { ...c.labels } }));
  const snapshot = { ...built, clusters };
  await renderRevisionSteps(snapshot, 'dry-run', clusters);
  return snapshot;
}
