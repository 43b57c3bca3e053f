/**
 * Keeps the ApplicationRevision objects of one application equal to the entity's revision index:
 * one object per retained revision (server-side apply, so unchanged ones cost nothing), and those
 * the entity pruned deleted. The objects are owned by the Application object, so Kubernetes'
 * garbage collector removes them with it.
 */
import type { KubeObject } from '../model/kube-object.js';
import { LABEL_APP_NAME } from '../model/labels.js';
import type { RevisionMetadata } from '../model/revision.js';
import { CONTROLLER_FIELD_MANAGER, type Hub } from './hub.js';
import { REVISION_API_VERSION, revisionObject } from './revision-object.js';

export async function mirrorRevisions(
  hub: Hub,
  app: { namespace: string; name: string; uid?: string },
  revisions: readonly RevisionMetadata[],
): Promise<void> {
  for (const meta of revisions) {
    await hub.objects.apply(revisionObject(app, meta) as unknown as KubeObject, {
      fieldManager: CONTROLLER_FIELD_MANAGER,
      force: true,
    });
  }
  const keep = new Set(revisions.map((r) => r.name));
  const present = await hub.objects.list({
    apiVersion: REVISION_API_VERSION,
    kind: 'ApplicationRevision',
    namespace: app.namespace,
    labelSelector: { [LABEL_APP_NAME]: app.name },
  });
  for (const object of present) {
    if (keep.has(object.metadata.name)) continue;
    await hub.objects.delete({
      apiVersion: REVISION_API_VERSION,
      kind: 'ApplicationRevision',
      namespace: app.namespace,
      name: object.metadata.name,
    });
  }
}
