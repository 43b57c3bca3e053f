import { z } from 'zod';
import { schema } from './schema-cache.js';

/**
 * Lifecycle of one revision. `Terminated` covers both an explicit terminate and supersession by a
 * newer publish (the description says which); `RolledBack` marks a revision abandoned by rollback.
 */
export const RevisionStatusSchema = schema('revision/RevisionStatusSchema', () =>
  z.enum(['Pending', 'Executing', 'Suspended', 'Succeeded', 'Failed', 'Terminated', 'RolledBack']),
);
export type RevisionStatus = z.infer<typeof RevisionStatusSchema>;

/** Statuses after which a revision's workflow never runs again. */
export const FINAL_REVISION_STATUSES: readonly RevisionStatus[] = [
  'Succeeded',
  'Failed',
  'Terminated',
  'RolledBack',
];

export function isFinalStatus(status: RevisionStatus): boolean {
  return FINAL_REVISION_STATUSES.includes(status);
}

/** What `revision list` shows for one revision (KubeVela's columns plus a description line). */
export const RevisionMetadataSchema = schema('revision/RevisionMetadataSchema', () =>
  z.object({
    name: z.string(),
    number: z.number().int().positive(),
    publishVersion: z.string().optional(),
    hash: z.string(),
    /** Size in bytes of the canonical snapshot. */
    size: z.number().int().nonnegative(),
    status: RevisionStatusSchema,
    succeeded: z.boolean(),
    /** ISO timestamps (workflow time). */
    beginTime: z.string(),
    endTime: z.string().optional(),
    /** One line, as Helm's release description: "superseded by podinfo-v4", "re-published from podinfo-v1". */
    description: z.string().optional(),
    /** The revision this one copied when it was made by re-publish. */
    sourceRevision: z.string().optional(),
    workflowId: z.string(),
  }),
);
export type RevisionMetadata = z.infer<typeof RevisionMetadataSchema>;
