import { buildSnapshot, referencedObjectRefs } from '../model/snapshot-builder.js';
import { LOCAL_CLUSTER } from '../model/cluster-info.js';
import { MissingReferenceError } from '../model/errors.js';
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
export async function resolveSnapshot(deps: ActivityDeps, input: ResolveSnapshotInput): Promise<RevisionSnapshot> {
  const { application } = input;
  const namespace = application.metadata.namespace ?? 'default';
  const catalog = deps.readCatalog
    ? await deps.readCatalog(namespace)
    : await readMergedCatalog(deps.temporal, namespace);
  const referencedObjects = await Promise.all(
    referencedObjectRefs(application).map(async ({ cluster, ref }) => {
      const name = cluster ?? LOCAL_CLUSTER;
      const object = await deps.registry.client(name).read(ref);
      if (!object) {
        throw new MissingReferenceError(
          'Object',
          `${ref.kind}/${ref.name}`,
          `referenced ${ref.kind} ${ref.namespace ?? namespace}/${ref.name} not found on cluster ${name}`,
          { object: `Application ${namespace}/${application.metadata.name}`, path: 'spec.components[].properties.objects' },
        );
      }
      return { cluster: name, object };
    }),
  );
  const snapshot = buildSnapshot({ application, catalog, referencedObjects });
  await renderRevisionSteps(snapshot, 'dry-run', deps.registry.list());
  return snapshot;
}
