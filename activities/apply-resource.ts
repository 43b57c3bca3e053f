import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { MissingReferenceError } from '../model/errors.js';
import type { KubeObject } from '../model/kube-object.js';
import { ANNOTATION_APPLIED_AT } from '../model/labels.js';
import { secretReferenceSource } from '../model/ref-objects.js';
import { secretDataSha256 } from '../model/snapshot-builder.js';
import type { InventoryEntry } from '../model/inventory.js';
import { applyOwned } from './apply-owned.js';
import { fenceFor, heartbeatingThroughout } from './fenced-write.js';
import { placedClient } from './placed-cluster.js';
import { ActivityFailureType, type ApplyResourceInput } from './types.js';

/**
 * Namespaces this worker has already ensured, per cluster. Applying a Namespace is idempotent, so
 * the cache only saves a round trip; a namespace deleted behind our back fails the next apply
 * with a permanent NotFound and the operator sees why.
 */
const ensuredNamespaces = new Set<string>();

/**
 * Server-side applies one rendered object under its application's field manager and ownership
 * rules (`apply-owned.ts`), stamping the apply time.
 */
export async function applyResource(
  registry: ClusterRegistry,
  input: ApplyResourceInput,
): Promise<InventoryEntry> {
  return heartbeatingThroughout(() => applyOnce(registry, input));
}

/** One apply, fenced (`fenced-write.ts`): a late write of a superseded run is refused. */
async function applyOnce(registry: ClusterRegistry, input: ApplyResourceInput): Promise<InventoryEntry> {
  const ctx = Context.current();
  const client = placedClient(registry, input.cluster, input.revision);
  const { object } = input;
  const namespace = object.metadata.namespace;
  if (namespace !== undefined && !ensuredNamespaces.has(`${input.cluster}/${namespace}`)) {
    await client.ensureNamespace(namespace);
    ensuredNamespaces.add(`${input.cluster}/${namespace}`);
  }
  const withData = await withSecretData(registry, object, input.revision, ctx.cancellationSignal);
  const stamped = {
    ...withData,
    metadata: {
      ...withData.metadata,
      annotations: {
        ...(withData.metadata.annotations ?? {}),
        [ANNOTATION_APPLIED_AT]: new Date().toISOString(),
      },
    },
  };
  const fenced = fenceFor(stamped, input);
  const outcome = await applyOwned(client, fenced.object, {
    ...(fenced.guard ? { guard: fenced.guard } : {}),
    ...(input.ownership ? { ownership: input.ownership } : {}),
    ...(input.phase ? { phase: input.phase } : {}),
    signal: ctx.cancellationSignal,
  });
  if (outcome.action !== 'update' && outcome.action !== 'create')
    ctx.log.info(`${object.kind}/${object.metadata.name} on ${input.cluster}: ${outcome.reason}`);
  return {
    cluster: input.cluster,
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(namespace !== undefined ? { namespace } : {}),
    revision: input.revision,
  };
}

/**
 * A Secret from a `ref-objects` component is rendered as a reference only (source and data hash
 * in annotations): its data must never be in a snapshot, an activity input or result, or a log.
 * Here — the last moment, inside the activity — the data is read from the source cluster and put
 * into the object sent to the target. The data must still hash to what the revision recorded:
 * a revision deploys what it was published with, so a Secret changed since then fails the step
 * (publish a new version to deploy the new data) instead of silently deploying other content.
 *
 * @throws MissingReferenceError when the source Secret is gone; `SecretChanged` when its data differs.
 */
async function withSecretData(
  registry: ClusterRegistry,
  object: KubeObject,
  revision: string,
  signal: AbortSignal,
): Promise<KubeObject> {
  const source = secretReferenceSource(object);
  if (!source) return object;
  const where = `${source.cluster}/${source.namespace}/${source.name}`;
  const secret = await registry
    .client(source.cluster)
    .read({ apiVersion: 'v1', kind: 'Secret', namespace: source.namespace, name: source.name }, { signal });
  if (!secret) {
    throw new MissingReferenceError(
      'Object',
      `Secret/${source.name}`,
      `the Secret ${where} that ${revision} deploys is gone from its source cluster; recreate it or publish a version without it`,
      { object: `Secret ${object.metadata.namespace ?? ''}/${object.metadata.name}` },
    );
  }
  const sha256 = secretDataSha256(secret);
  if (sha256 !== source.dataSha256) {
    // Only hashes in the message: it ends up in the history and the UI.
    throw ApplicationFailure.nonRetryable(
      `the Secret ${where} changed since ${revision} was published (data sha256 ${source.dataSha256.slice(0, 16)}…, now ${sha256.slice(0, 16)}…): publish a new version to deploy the new data`,
      ActivityFailureType.SecretChanged,
    );
  }
  const copy: KubeObject = { ...object, data: secret.data ?? {} };
  if (typeof secret.type === 'string') copy.type = secret.type;
  return copy;
}
