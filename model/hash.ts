/**
 * The content hash of a revision: SHA-256 over canonical JSON, shown as its first 16 hex
 * characters. Unlike KubeVela's FNV over Go structures it is reproducible in any language and
 * stable across Revela versions, and it always has 16 characters.
 *
 * Not workflow-safe (node:crypto); workflows receive hashes computed by activities.
 */
import { createHash } from 'node:crypto';
import { withPublishVersion } from './application.js';
import { canonicalJson } from './canonical-json.js';
import type { RevisionSnapshot, SnapshotContent } from './snapshot.js';

export { canonicalJson } from './canonical-json.js';

/** Hex SHA-256 of a string (UTF-8). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** First 16 hex characters of the SHA-256 of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 16);
}

/**
 * What the hash covers: the snapshot content with the publishVersion annotation removed, so that
 * re-publishing a revision under a new version keeps its hash.
 */
export function snapshotContentForHash(snapshot: SnapshotContent | RevisionSnapshot): SnapshotContent {
  const content: SnapshotContent = {
    application: withPublishVersion(snapshot.application, undefined),
    componentDefinitions: snapshot.componentDefinitions,
    traitDefinitions: snapshot.traitDefinitions,
    policyDefinitions: snapshot.policyDefinitions,
    workflowStepDefinitions: snapshot.workflowStepDefinitions,
    externalPolicies: snapshot.externalPolicies,
    referencedObjects: snapshot.referencedObjects,
  };
  if (snapshot.externalWorkflow !== undefined) content.externalWorkflow = snapshot.externalWorkflow;
  return content;
}

/** The hash of a snapshot's content (what `buildSnapshot` stores in `hash`). */
export function snapshotHash(snapshot: SnapshotContent | RevisionSnapshot): string {
  return contentHash(snapshotContentForHash(snapshot));
}
