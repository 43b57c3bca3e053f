/**
 * The ApplicationRevision object: a read-only mirror in the hub cluster of one revision that the
 * application entity holds in Temporal, so `kubectl get apprev` prints `revela revision list`.
 * Temporal stays the store: the controller rewrites these objects from the entity's revision
 * index and deletes those the entity pruned.
 */
import { z } from 'zod';
import { RevisionMetadataSchema, type RevisionMetadata } from '../model/revision.js';
import { LABEL_APP_NAME, LABEL_APP_NAMESPACE } from '../model/labels.js';

export const REVISION_API_VERSION = 'core.oam.dev/v1beta1';

/** Label with the revision's content hash, as KubeVela sets it on its ApplicationRevisions. */
export const LABEL_REVISION_HASH = 'app.oam.dev/app-revision-hash';

export const RevisionObjectSpecSchema = RevisionMetadataSchema.extend({
  /** The application's name (the object's namespace is the application's). */
  application: z.string(),
  /** `2026-12-01 15:45:03` (UTC), the BEGIN_TIME column. */
  beginTimeText: z.string(),
  /** `8.8 KiB`, the SIZE column. */
  sizeText: z.string(),
});
export type RevisionObjectSpec = z.infer<typeof RevisionObjectSpecSchema>;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: the cluster has no local time zone to speak of. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `512 B`, `23.7 KiB`, `1.2 MiB`, as `revision list` prints them. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A Kubernetes object this controller writes. */
export interface HubObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
  };
  spec: RevisionObjectSpec;
}

/**
 * The ApplicationRevision of one revision, owned by its Application object so Kubernetes' garbage
 * collector removes the mirror with the application.
 *
 * @example
 * ```ts
 * revisionObject({ namespace: 'examples', name: 'podinfo', uid }, meta).metadata.name; // 'podinfo-v1'
 * ```
 */
export function revisionObject(
  app: { namespace: string; name: string; uid?: string },
  meta: RevisionMetadata,
): HubObject {
  return {
    apiVersion: REVISION_API_VERSION,
    kind: 'ApplicationRevision',
    metadata: {
      name: meta.name,
      namespace: app.namespace,
      labels: {
        [LABEL_APP_NAME]: app.name,
        [LABEL_APP_NAMESPACE]: app.namespace,
        [LABEL_REVISION_HASH]: meta.hash,
      },
      ...(app.uid
        ? {
            ownerReferences: [
              { apiVersion: 'core.oam.dev/v1beta1', kind: 'Application', name: app.name, uid: app.uid },
            ],
          }
        : {}),
    },
    spec: {
      ...RevisionMetadataSchema.parse(meta),
      application: app.name,
      beginTimeText: formatUtc(meta.beginTime),
      sizeText: formatSize(meta.size),
    },
  };
}
