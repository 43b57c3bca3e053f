import { ApplicationFailure } from '@temporalio/activity';
import type { Application } from '../model/application.js';
import type { CatalogView } from '../model/catalog-view.js';
import { buildSnapshot } from '../model/snapshot-builder.js';
import {
  checkReferencedClusters,
  COMPONENT_TYPE_REF_OBJECTS,
  readReferencedObjects,
} from '../model/ref-objects.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import type { ActivityDeps } from './deps.js';
import { renderRevisionSteps } from '../model/step-render.js';
import { ActivityFailureType, type ResolveSnapshotInput } from './types.js';

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
  const catalog = await deps.readCatalog(application.metadata.namespace ?? 'default');
  return resolveAgainst(deps, application, catalog);
}

/**
 * The same, run by the entity as a local activity (no task queue round trip, no workflow task to
 * hear the result): only when it needs neither a catalog query nor a cluster read. A query is
 * answered by a workflow task slot — the very kind a local activity holds while it runs — so
 * under load every slot could wait for one (seen in the throughput benchmark); a cluster read
 * can be slow. Either way it fails at once with `ResolveNeedsActivity`.
 */
export async function resolveKeptSnapshot(
  deps: ActivityDeps,
  input: ResolveSnapshotInput,
): Promise<RevisionSnapshot> {
  const { application } = input;
  const needs = (why: string) =>
    ApplicationFailure.nonRetryable(why, ActivityFailureType.ResolveNeedsActivity);
  if (application.spec.components.some((c) => c.type === COMPONENT_TYPE_REF_OBJECTS))
    throw needs('ref-objects components read clusters');
  const catalog = await deps.readKeptCatalog?.(application.metadata.namespace ?? 'default');
  if (!catalog) throw needs('a catalog changed since it was last read');
  return resolveAgainst(deps, application, catalog);
}

async function resolveAgainst(
  deps: ActivityDeps,
  application: Application,
  catalog: CatalogView,
): Promise<RevisionSnapshot> {
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
