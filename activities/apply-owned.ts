import { ApplicationFailure } from '@temporalio/activity';
import type { ClusterClient } from '../kube/cluster-client.js';
import { KubeApiError } from '../kube/errors.js';
import { updateHolders } from '../kube/shared-holders.js';
import { refOf, type KubeObject } from '../model/kube-object.js';
import {
  decideApply,
  type ApplyDecision,
  type ApplyPhase,
  type ResourceOwnership,
} from '../model/ownership.js';
import type { OwnershipError } from '../model/ownership-errors.js';
import { ownerOf, sameApp, sharedHolders, type AppRef } from '../model/ownership-metadata.js';

export interface OwnedApplyOptions {
  readonly ownership?: ResourceOwnership;
  /** @default 'deploy' */
  readonly phase?: ApplyPhase;
  readonly signal?: AbortSignal;
  /**
   * Checked against every read of the live object before the write that is pinned to it; throws
   * to refuse the write (the write fence, `fenced-write.ts`).
   */
  readonly guard?: (live: KubeObject | undefined) => void;
}

export interface OwnedApplyResult {
  readonly action: ApplyDecision['action'];
  readonly reason: string;
  /** The object as the cluster holds it afterwards. */
  readonly object?: KubeObject;
}

/** Rounds of read → decide → write when the object changed between the read and the write. */
const ATTEMPTS = 3;

/** A refusal as the Temporal failure a step fails with: permanent, typed, naming object and owner. */
export function ownershipFailure(error: OwnershipError, cluster: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: error.type,
    message: `${error.message} (cluster ${cluster})`,
    nonRetryable: true,
    details: [{ ...error.toJSON(), cluster }],
  });
}

/** True for a 409 that says the object changed since it was read (not a field-manager conflict). */
function staleWrite(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    err.status === 409 &&
    !(err.causes ?? []).some((c) => c.reason === 'FieldManagerConflict')
  );
}

function union(first: readonly AppRef[], rest: readonly AppRef[]): AppRef[] {
  const out = [...first];
  for (const h of rest) if (!out.some((o) => sameApp(o, h))) out.push(h);
  return out;
}

function sameHolders(a: readonly AppRef[], b: readonly AppRef[]): boolean {
  return a.length === b.length && a.every((h, i) => sameApp(h, b[i]));
}

/**
 * Applies one rendered object under the ownership rules: reads the live object, decides
 * ({@link decideApply}), and writes only what the decision allows — under the application's own
 * field manager, pinned to the resourceVersion it read, so an object that changes hands between
 * the read and the write is decided again instead of overwritten.
 *
 * @throws ApplicationFailure `ResourceOwnedByOtherApp`, `ResourceNotManaged`, `ReadOnlyResourceMissing` (permanent).
 */
export async function applyOwned(
  client: ClusterClient,
  desired: KubeObject,
  options: OwnedApplyOptions = {},
): Promise<OwnedApplyResult> {
  const app = ownerOf(desired);
  const signal = options.signal ? { signal: options.signal } : {};
  if (!app) {
    // Every rendered object carries its application; one that does not is applied as before.
    return { action: 'update', reason: 'no owner labels', object: await client.apply(desired, signal) };
  }
  const ref = refOf(desired);
  for (let attempt = 1; ; attempt++) {
    const live = await client.read(ref, signal);
    options.guard?.(live);
    const decision = decideApply({
      desired,
      live,
      app,
      ...(options.ownership ? { ownership: options.ownership } : {}),
      ...(options.phase ? { phase: options.phase } : {}),
    });
    switch (decision.action) {
      case 'refuse':
        throw ownershipFailure(decision.error, client.cluster);
      case 'leave':
        return { action: decision.action, reason: decision.reason, ...(live ? { object: live } : {}) };
      case 'share': {
        const object = await updateHolders(
          client,
          ref,
          (l) => {
            const next = union(sharedHolders(l), [app]);
            return sameHolders(next, sharedHolders(l)) ? undefined : { holders: next };
          },
          { ...signal, ...(live ? { live } : {}) },
        );
        return { action: decision.action, reason: decision.reason, ...(object ? { object } : {}) };
      }
      default: {
        const body: KubeObject = live
          ? {
              ...decision.body,
              metadata: { ...decision.body.metadata, resourceVersion: live.metadata.resourceVersion },
            }
          : decision.body;
        let object: KubeObject;
        try {
          object = await client.apply(body, {
            fieldManager: decision.fieldManager,
            force: decision.force,
            ...signal,
          });
        } catch (err) {
          if (staleWrite(err) && attempt < ATTEMPTS) continue;
          throw err;
        }
        const wanted = decision.holders;
        if (wanted) {
          object =
            (await updateHolders(
              client,
              ref,
              (l) => {
                const current = sharedHolders(l);
                // A take-over puts the new owner first; otherwise holders keep their order.
                const next =
                  decision.action === 'take-over' ? union(wanted, current) : union(current, wanted);
                return sameHolders(next, current) ? undefined : { holders: next };
              },
              { ...signal, live: object },
            )) ?? object;
        }
        return { action: decision.action, reason: decision.reason, object };
      }
    }
  }
}
