/** An entity's revision history and snapshots as the model tests build them. */
import type { Application } from '../../../model/application.js';
import type { RevisionHistory } from '../../../model/revision-history.js';
import type { RevisionSnapshot } from '../../../model/snapshot.js';

/** The history of `examples/podinfo` before its first publish. */
export function emptyHistory(): RevisionHistory {
  return {
    namespace: 'examples',
    name: 'podinfo',
    nextNumber: 1,
    revisions: [],
    snapshots: {},
    runIds: {},
    inventory: [],
    audit: [],
  };
}

/** A snapshot of `application` alone (no definitions), with the given hash and size. */
export function snapshotOf(application: Application, hash: string, size = 100): RevisionSnapshot {
  return {
    application,
    componentDefinitions: {},
    traitDefinitions: {},
    policyDefinitions: {},
    workflowStepDefinitions: {},
    externalPolicies: {},
    referencedObjects: [],
    hash,
    size,
  };
}
