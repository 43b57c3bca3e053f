/**
 * Syncs one Application object: holds a finalizer on it, hands its desired state to the same
 * `RevelaClient.apply` the CLI uses when Temporal does not hold it yet, mirrors the revisions as
 * ApplicationRevision objects, and writes `.status` from `revela status`. Deleting the object
 * deletes the application (resources collected, entity ended) before the finalizer is released.
 */
import { NotFoundError } from '../client/errors.js';
import type { ApplicationStatusView, RevelaClient } from '../client/revela-client.js';
import { parseDocument } from '../model/document.js';
import { applicationStatus, type SyncOutcome } from './application-status.js';
import { decideSync, desiredApplication } from './application-sync.js';
import { conditionsOf } from './conditions.js';
import { FINALIZER, type Hub, type OamObject } from './hub.js';
import { mirrorRevisions } from './revision-mirror.js';
import { objectFault } from './sync-errors.js';
import type { EventRecorder } from './event-recorder.js';

export interface ReconcilerDeps {
  readonly hub: Hub;
  readonly client: RevelaClient;
  readonly events: EventRecorder;
  readonly log: (message: string) => void;
  /** Logs `message` unless it is what was last logged for `key` (a re-sync that changes nothing is quiet). */
  readonly logChange: (key: string, message: string) => void;
}

async function statusOrNone(
  client: RevelaClient,
  ref: { name: string; namespace: string },
): Promise<ApplicationStatusView | undefined> {
  try {
    return await client.status(ref);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function reconcileApplication(deps: ReconcilerDeps, object: OamObject): Promise<void> {
  const { hub, client, events } = deps;
  const ref = { name: object.metadata.name, namespace: object.metadata.namespace };
  const finalizers = object.metadata.finalizers ?? [];

  if (object.metadata.deletionTimestamp) {
    if (!finalizers.includes(FINALIZER)) return;
    const result = await client.delete(ref);
    deps.log(`Application ${ref.namespace}/${ref.name}: ${result.message}`);
    await events.record(object, 'Normal', 'Deleted', result.message);
    await hub.setFinalizers(
      object,
      finalizers.filter((f) => f !== FINALIZER),
    );
    return;
  }
  if (!finalizers.includes(FINALIZER)) await hub.setFinalizers(object, [...finalizers, FINALIZER]);

  const generation = object.metadata.generation;
  const previous = conditionsOf(object.status);
  let view: ApplicationStatusView | undefined;
  let sync: SyncOutcome;
  try {
    // The CLI's parse: the same InvalidDocument error, naming the field.
    const desired = desiredApplication(parseDocument(object));
    view = await statusOrNone(client, ref);
    const decision = decideSync(desired, view?.app);
    if (decision.action === 'apply') {
      const [outcome] = await client.apply([desired]);
      sync = {
        ok: true,
        reason: outcome?.result === 'published' ? 'Published' : 'Saved',
        message: outcome?.message ?? 'applied',
      };
      if (outcome?.result === 'published')
        await events.record(object, 'Normal', 'Published', outcome.message);
      view = await client.status(ref);
    } else if (decision.action === 'hold') {
      sync = { ok: false, reason: 'PublishVersionAlreadyUsed', message: decision.message };
      await events.record(object, 'Warning', sync.reason, sync.message);
    } else {
      const current = view?.app.currentRevision;
      sync = {
        ok: true,
        reason: 'InSync',
        message: current
          ? `the draft matches this object; current revision ${current.name}${current.publishVersion ? ` (${current.publishVersion})` : ''}`
          : 'the draft matches this object',
      };
    }
  } catch (err) {
    const fault = objectFault(err);
    if (!fault) throw err;
    // Nothing was recorded: the entity keeps its draft and revisions, the object keeps its spec.
    sync = { ok: false, reason: fault.reason, message: fault.message };
    await events.record(object, 'Warning', fault.reason, fault.message);
  }
  const current = view?.app.currentRevision;
  deps.logChange(
    `Application/${ref.namespace}/${ref.name}`,
    `Application ${ref.namespace}/${ref.name}: ${sync.reason}: ${sync.message}` +
      (current
        ? ` [current ${current.name} ${current.status}, ${view?.app.revisions.length ?? 0} revision(s)]`
        : ''),
  );
  if (view)
    await mirrorRevisions(
      hub,
      { ...ref, ...(object.metadata.uid ? { uid: object.metadata.uid } : {}) },
      view.app.revisions,
    );
  await hub.patchStatus(
    object,
    applicationStatus(view, sync, generation, previous, new Date().toISOString()),
  );
}
