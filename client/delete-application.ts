import { randomUUID } from 'node:crypto';
import { deleteUpdate, type DeleteResult } from '../workflows/messages.js';
import { NotFoundError } from './errors.js';
import type { AppRef, RevelaClient } from './revela-client.js';

/** What {@link deleteApplication} did: the entity's answer, or that there was nothing to delete. */
export type DeleteOutcome = DeleteResult & { readonly found: boolean };

/**
 * Deletes an application: its running revision is stopped, every object it owns is collected
 * from the clusters, and its entity ends. Deleting an application that does not exist, or whose
 * entity already ended, succeeds with `found: false` — a finalizer can call it again safely.
 *
 * @example
 * ```ts
 * const r = await deleteApplication(revela, { name: 'podinfo', namespace: 'examples' });
 * console.log(r.message); // deleted examples/podinfo: 6 object(s) collected
 * ```
 */
export async function deleteApplication(
  client: RevelaClient,
  ref: AppRef & { requestId?: string },
): Promise<DeleteOutcome> {
  const namespace = ref.namespace ?? 'default';
  const requestId = ref.requestId ?? randomUUID();
  try {
    const result = await client.call(`application ${namespace}/${ref.name}`, () =>
      client.entity(ref).executeUpdate(deleteUpdate, { updateId: requestId, args: [{ requestId }] }),
    );
    return { ...result, found: true };
  } catch (err) {
    // Temporal answers "not found" both for an entity never created and for one that ended.
    if (err instanceof NotFoundError) {
      return { found: false, collected: 0, left: 0, message: `${namespace}/${ref.name} does not exist` };
    }
    throw err;
  }
}
