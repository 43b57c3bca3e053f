import { Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { ANNOTATION_APPLIED_AT } from '../model/labels.js';
import type { InventoryEntry } from '../workflows/messages.js';
import type { ApplyResourceInput } from './types.js';

/**
 * Namespaces this worker has already ensured, per cluster. Applying a Namespace is idempotent, so
 * the cache only saves a round trip; a namespace deleted behind our back fails the next apply
 * with a permanent NotFound and the operator sees why.
 */
const ensuredNamespaces = new Set<string>();

/** Server-side applies one rendered object (field manager `revela`), stamping the apply time. */
export async function applyResource(registry: ClusterRegistry, input: ApplyResourceInput): Promise<InventoryEntry> {
  const ctx = Context.current();
  const client = registry.client(input.cluster);
  const { object } = input;
  const namespace = object.metadata.namespace;
  if (namespace !== undefined && !ensuredNamespaces.has(`${input.cluster}/${namespace}`)) {
    await client.ensureNamespace(namespace);
    ensuredNamespaces.add(`${input.cluster}/${namespace}`);
  }
  ctx.heartbeat();
  const stamped = {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...(object.metadata.annotations ?? {}), [ANNOTATION_APPLIED_AT]: new Date().toISOString() },
    },
  };
  await client.apply(stamped, { signal: ctx.cancellationSignal });
  return {
    cluster: input.cluster,
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(namespace !== undefined ? { namespace } : {}),
    revision: input.revision,
  };
}
