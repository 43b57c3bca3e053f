/**
 * What garbage collection (after a revision, or a rollback) does with one object this application
 * applied and no longer renders. It deletes only what this application owns, and only the very
 * object it read (a uid precondition), so an object someone recreated in between survives.
 *
 * Workflow-safe.
 */
import type { KubeObject } from './kube-object.js';
import { ownerOf, sameApp, sharedHolders, type AppRef } from './ownership-metadata.js';
import type { GcPropagation, GcRule, GcStrategy } from './ownership-policies.js';
import { matchesSelector, type ResourceFacts } from './resource-selector.js';

export type GarbageDecision =
  /** Already gone. */
  | { readonly action: 'gone' }
  /** Delete exactly this object (uid) with this propagation. */
  | {
      readonly action: 'delete';
      readonly uid: string | undefined;
      readonly propagation: 'Background' | 'Orphan';
    }
  /** Other applications still hold it: drop this one from the holders, hand ownership on if it was ours. */
  | { readonly action: 'release'; readonly holders: AppRef[]; readonly newOwner?: AppRef }
  /** Leave the object and forget it: another application (or nobody) owns it, or `strategy: never`. */
  | { readonly action: 'forget'; readonly reason: string }
  /** Leave it and keep it in the inventory (`strategy: onAppDelete`). */
  | { readonly action: 'keep'; readonly reason: string };

/** The first rule that selects the object (KubeVela: the first matching rule wins). */
export function gcRuleFor(rules: readonly GcRule[], facts: ResourceFacts): GcRule | undefined {
  return rules.find((r) => matchesSelector(r.selector, facts));
}

export interface GarbageDecisionInput {
  readonly live: KubeObject | undefined;
  readonly app: AppRef;
  readonly strategy?: GcStrategy;
  readonly propagation?: GcPropagation;
}

export function decideGarbage(input: GarbageDecisionInput): GarbageDecision {
  const { live, app } = input;
  if (!live) return { action: 'gone' };
  const strategy = input.strategy ?? 'onAppUpdate';
  if (strategy === 'never') return { action: 'forget', reason: 'garbage-collect strategy never' };
  if (strategy === 'onAppDelete')
    return {
      action: 'keep',
      reason: 'garbage-collect strategy onAppDelete: kept until the application is deleted',
    };

  const owner = ownerOf(live);
  const holders = sharedHolders(live);
  const others = holders.filter((h) => !sameApp(h, app));
  const holding = holders.some((h) => sameApp(h, app));
  if (holding && others.length > 0) {
    return {
      action: 'release',
      holders: others,
      ...(sameApp(owner, app) ? { newOwner: others[0] as AppRef } : {}),
    };
  }
  if (!sameApp(owner, app)) {
    return {
      action: 'forget',
      reason: owner
        ? `managed by application ${owner.namespace}/${owner.name} now`
        : 'no application manages it now',
    };
  }
  const uid = typeof live.metadata.uid === 'string' ? live.metadata.uid : undefined;
  return {
    action: 'delete',
    uid,
    propagation: input.propagation === 'orphan' ? 'Orphan' : 'Background',
  };
}
