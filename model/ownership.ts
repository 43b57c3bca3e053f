/**
 * Ownership decisions, KubeVela's rules: given the object a revision wants, the object live on the
 * cluster (or none) and what the application's policies say about it, decide what one apply does.
 *
 * - No live object: create it (a `read-only` object must exist, so that is refused).
 * - Live and owned by this application: update it. Fields another tool changed (`kubectl scale`)
 *   are taken back — the revision says what they are, as KubeVela's state keep does — unless an
 *   `apply-once` rule leaves them to others; fields of another *application's* field manager are
 *   never taken back, the apiserver reports them as a conflict.
 * - Live and owned by another application: refused (`Deployment shop/api is managed by
 *   application shop/team-a`), unless both share it (`shared-resource`: the first holder wrote it,
 *   this one is added to its holders and writes nothing) or this one adopts it (`take-over`).
 * - Live without an owner (made outside Revela): refused unless `take-over`.
 * - `read-only`: never written, whoever owns it.
 *
 * Workflow-safe.
 */
import { copyAt, parseFieldPath } from './field-paths.js';
import type { KubeObject } from './kube-object.js';
import { FIELD_MANAGER } from './labels.js';
import { objectText, OwnershipError } from './ownership-errors.js';
import {
  ANNOTATION_SHARED_BY,
  appRefText,
  fieldManagerFor,
  isAppFieldManager,
  managersOf,
  ownerOf,
  sameApp,
  sharedHolders,
  type AppRef,
} from './ownership-metadata.js';
import type { ApplyOnceAffect } from './ownership-policies.js';

/** What the ownership policies say about one rendered object. Empty: the default rules. */
export interface ResourceOwnership {
  /** `shared-resource` selects it. */
  shared?: boolean;
  /** `take-over` selects it. */
  takeOver?: boolean;
  /** `read-only` selects it. */
  readOnly?: boolean;
  /** `apply-once`: these fields (`*`: all of them) are left as they are live, when `affect` says so. */
  applyOnce?: { paths: string[]; affect: ApplyOnceAffect };
}

/** A deploy step or rollback (`onUpdate` rules), or a state-keep check (`onStateKeep` rules). */
export type ApplyPhase = 'deploy' | 'state-keep';

export interface ApplyDecisionInput {
  /** The rendered object, owner labels included. */
  readonly desired: KubeObject;
  readonly live: KubeObject | undefined;
  readonly app: AppRef;
  readonly ownership?: ResourceOwnership;
  /** @default 'deploy' */
  readonly phase?: ApplyPhase;
}

interface Write {
  /** What to send with server-side apply under `fieldManager`. */
  readonly body: KubeObject;
  readonly fieldManager: string;
  /** Take fields from other managers (never another application's, unless taking over). */
  readonly force: boolean;
  /** Holders to record in `app.oam.dev/shared-by` after the write; absent: leave it as it is. */
  readonly holders?: AppRef[];
}

export type ApplyDecision =
  | ({ readonly action: 'create'; readonly reason: string } & Write)
  | ({ readonly action: 'update'; readonly reason: string } & Write)
  | ({ readonly action: 'take-over'; readonly reason: string; readonly from?: AppRef } & Write)
  /** Held with other applications: only `holders` is written (this application added). */
  | { readonly action: 'share'; readonly reason: string; readonly owner: AppRef; readonly holders: AppRef[] }
  /** Not written: read-only, or apply-once for the whole object. */
  | { readonly action: 'leave'; readonly reason: string }
  | { readonly action: 'refuse'; readonly reason: string; readonly error: OwnershipError };

/** True when an apply-once rule holds in this phase (KubeVela: `always` and unset hold in both). */
function applyOnceHolds(ownership: ResourceOwnership, phase: ApplyPhase): boolean {
  const rule = ownership.applyOnce;
  if (!rule) return false;
  if (rule.affect === 'always') return true;
  return phase === 'deploy' ? rule.affect === 'onUpdate' : rule.affect === 'onStateKeep';
}

/** The desired object with apply-once fields set to their live values (so applying keeps them). */
function withLiveFields(desired: KubeObject, live: KubeObject, paths: readonly string[]): KubeObject {
  const body = structuredClone(desired);
  for (const text of paths) {
    const path = parseFieldPath(text);
    if (path) copyAt(body, live, path);
  }
  return body;
}

/** The desired object as Revela sends it: never its own copy of the holders annotation. */
function bodyOf(desired: KubeObject): KubeObject {
  const annotations = desired.metadata.annotations;
  if (!annotations || !(ANNOTATION_SHARED_BY in annotations)) return desired;
  const rest = { ...annotations };
  delete rest[ANNOTATION_SHARED_BY];
  return { ...desired, metadata: { ...desired.metadata, annotations: rest } };
}

/** Field managers of other Revela applications on the live object. */
export function otherApplicationManagers(live: KubeObject, app: AppRef): string[] {
  const ours = fieldManagerFor(app);
  return managersOf(live).filter((m) => isAppFieldManager(m) && m !== ours);
}

/**
 * A live object without owner labels whose only writer was Revela itself: the namespace an earlier
 * apply created for the objects in it (`ensureNamespace`), which the application may then render.
 */
function madeByRevelaForANamespace(live: KubeObject): boolean {
  const managers = managersOf(live);
  return live.kind === 'Namespace' && managers.length > 0 && managers.every((m) => m === FIELD_MANAGER);
}

function withHolder(holders: AppRef[], app: AppRef): AppRef[] {
  return holders.some((h) => sameApp(h, app)) ? holders : [...holders, app];
}

/** Decides what applying `desired` does. Pure: the caller reads `live` first and acts on the answer. */
export function decideApply(input: ApplyDecisionInput): ApplyDecision {
  const { desired, live, app } = input;
  const ownership = input.ownership ?? {};
  const phase = input.phase ?? 'deploy';
  const fieldManager = fieldManagerFor(app);
  const what = objectText(desired);
  const body = bodyOf(desired);

  if (!live) {
    if (ownership.readOnly) {
      return {
        action: 'refuse',
        reason: 'read-only and missing',
        error: new OwnershipError(
          'ReadOnlyResourceMissing',
          what,
          `${what} is read-only for application ${appRefText(app)} and does not exist: create it, or drop it from the read-only policy`,
        ),
      };
    }
    return {
      action: 'create',
      reason: 'not on the cluster',
      body,
      fieldManager,
      force: false,
      ...(ownership.shared ? { holders: [app] } : {}),
    };
  }

  if (ownership.readOnly) return { action: 'leave', reason: 'read-only' };

  const owner = ownerOf(live);
  const holders = sharedHolders(live);
  const adopt = (from: AppRef | undefined, reason: string): ApplyDecision => ({
    action: 'take-over',
    reason,
    body,
    fieldManager,
    force: true,
    ...(from ? { from } : {}),
    // The new owner goes first among the holders; a take-over of a shared object keeps the others.
    ...(holders.length > 0 || ownership.shared
      ? { holders: [app, ...holders.filter((h) => !sameApp(h, app))] }
      : {}),
  });

  if (owner !== undefined && !sameApp(owner, app)) {
    if (ownership.takeOver) return adopt(owner, `taken over from application ${appRefText(owner)}`);
    // The owner agreed to share only if it recorded itself as a holder.
    if (ownership.shared && holders.some((h) => sameApp(h, owner))) {
      return {
        action: 'share',
        reason: `shared with application ${appRefText(owner)}, which wrote it`,
        owner,
        holders: withHolder(holders, app),
      };
    }
    const hint = ownership.shared
      ? `; application ${appRefText(owner)} does not share it (give it a shared-resource policy too)`
      : '; to hold it together give both applications a shared-resource policy, or adopt it with take-over';
    return {
      action: 'refuse',
      reason: `owned by ${appRefText(owner)}`,
      error: new OwnershipError(
        'ResourceOwnedByOtherApp',
        what,
        `${what} is managed by application ${appRefText(owner)}${hint}`,
        owner,
      ),
    };
  }

  if (owner === undefined && !madeByRevelaForANamespace(live)) {
    if (ownership.takeOver) return adopt(undefined, 'taken over (it was made outside Revela)');
    return {
      action: 'refuse',
      reason: 'not managed by any application',
      error: new OwnershipError(
        'ResourceNotManaged',
        what,
        `${what} exists and is not managed by any application; adopt it with a take-over policy, or delete it`,
      ),
    };
  }

  // Owned by this application.
  let updated = body;
  if (applyOnceHolds(ownership, phase)) {
    const paths = ownership.applyOnce?.paths ?? [];
    if (paths.includes('*')) return { action: 'leave', reason: 'apply-once' };
    updated = withLiveFields(body, live, paths);
  }
  const nextHolders = ownership.shared ? withHolder(holders, app) : undefined;
  return {
    action: 'update',
    reason: 'owned by this application',
    body: updated,
    fieldManager,
    force: otherApplicationManagers(live, app).length === 0,
    ...(nextHolders && nextHolders.length !== holders.length ? { holders: nextHolders } : {}),
  };
}
