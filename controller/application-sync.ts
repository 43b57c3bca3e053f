/**
 * What the controller does with an Application object, decided from Temporal alone: the
 * application entity's draft and revision index say what was already applied and published, so a
 * restarted controller (or a second replica after a failover) publishes nothing twice and misses
 * nothing — the object is the desired state, the entity the record.
 */
import { applicationPublishVersion, ApplicationSchema, type Application } from '../model/application.js';
import { canonicalJson } from '../model/canonical-json.js';
import type { RevisionMetadata } from '../model/revision.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the entity holds of an application (its status query). */
export interface EntityRecord {
  readonly draft?: Application;
  readonly currentRevision?: RevisionMetadata;
  readonly revisions: readonly RevisionMetadata[];
}

export type SyncDecision =
  /** Hand the object to `RevelaClient.apply`: the entity's publish rules decide what runs. */
  | { readonly action: 'apply' }
  /** The entity's draft is this object already: nothing to send. */
  | { readonly action: 'none' }
  /**
   * The object names a publishVersion an earlier revision used (it was superseded, rolled back, or
   * re-published since): applying would publish it a second time, so nothing is sent.
   */
  | { readonly action: 'hold'; readonly revision: RevisionMetadata; readonly message: string };

/**
 * The application as Revela takes it from a cluster object: the same parse the CLI uses
 * (server-populated metadata dropped), without kubectl's last-applied annotation and the status.
 */
export function desiredApplication(object: unknown): Application {
  const app = ApplicationSchema.parse(object);
  const annotations = { ...(app.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const metadata = { ...app.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const copy: Application = { ...app, metadata };
  delete copy.status;
  return copy;
}

function comparable(app: Application): string {
  const { status: _status, ...rest } = desiredApplication(app);
  return canonicalJson(rest);
}

/**
 * @example
 * ```ts
 * decideSync(desiredApplication(object), (await revela.status(ref)).app); // { action: 'none' }
 * ```
 */
export function decideSync(desired: Application, entity: EntityRecord | undefined): SyncDecision {
  if (!entity?.draft) return { action: 'apply' };
  if (comparable(desired) === comparable(entity.draft)) return { action: 'none' };
  const version = applicationPublishVersion(desired);
  if (version !== undefined && entity.currentRevision?.publishVersion !== version) {
    const used = entity.revisions.find((r) => r.publishVersion === version);
    if (used) {
      return {
        action: 'hold',
        revision: used,
        message: `publishVersion ${version} was already published as ${used.name} (now ${used.status}); it is not published again — set a new app.oam.dev/publishVersion to deploy this spec`,
      };
    }
  }
  return { action: 'apply' };
}
