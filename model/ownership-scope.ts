/**
 * Binds an application's ownership policies to what it renders: per rendered object, what the
 * shared-resource, take-over, read-only and apply-once rules say; for garbage collection, the
 * application and its garbage-collect rules.
 *
 * Workflow-safe.
 */
import type { Application } from './application.js';
import type { ResourceOwnership } from './ownership.js';
import type { AppRef } from './ownership-metadata.js';
import { ownershipPoliciesOf, type GcRule, type OwnershipPolicies } from './ownership-policies.js';
import { factsOf, matchesSelector, type ResourceFacts } from './resource-selector.js';
import type { RenderedResource } from './rendered-resource.js';

/** Component name → type. */
export function componentTypesOf(app: Application): Record<string, string> {
  return Object.fromEntries(app.spec.components.map((c) => [c.name, c.type]));
}

export function appRefOf(app: Application): AppRef {
  return { namespace: app.metadata.namespace, name: app.metadata.name };
}

/** What the policies say about one object; empty when they say nothing. */
export function ownershipFor(policies: OwnershipPolicies, facts: ResourceFacts): ResourceOwnership {
  const selects = (rules: { selector: Parameters<typeof matchesSelector>[0] }[]) =>
    rules.some((r) => matchesSelector(r.selector, facts));
  const out: ResourceOwnership = {};
  if (selects(policies.shared)) out.shared = true;
  if (selects(policies.takeOver)) out.takeOver = true;
  if (selects(policies.readOnly)) out.readOnly = true;
  const once = policies.applyOnce;
  if (once?.enable) {
    if (!once.rules || once.rules.length === 0) {
      // KubeVela: apply-once without rules turns state keep off for the whole application.
      out.applyOnce = { paths: ['*'], affect: 'onStateKeep' };
    } else {
      const rule = once.rules.find((r) => r.selector !== undefined && matchesSelector(r.selector, facts));
      if (rule?.strategy)
        out.applyOnce = { paths: rule.strategy.path, affect: rule.strategy.affect ?? 'always' };
    }
  }
  return out;
}

/**
 * The rendered objects with what the policies say about each (only where they say something, so
 * applications without these policies render exactly as before).
 */
export function withOwnership(app: Application, resources: RenderedResource[]): RenderedResource[] {
  const policies = ownershipPoliciesOf(app);
  const types = componentTypesOf(app);
  return resources.map((resource) => {
    const ownership = ownershipFor(policies, factsOf(resource.object, types));
    return Object.keys(ownership).length > 0 ? { ...resource, ownership } : resource;
  });
}

/** What garbage collection needs to know about the application whose revision collects. */
export interface GarbageScope {
  app: AppRef;
  rules?: GcRule[];
  /** Component name → type, for `componentTypes` selectors. */
  componentTypes?: Record<string, string>;
}

export function garbageScope(app: Application): GarbageScope {
  const rules = ownershipPoliciesOf(app).gcRules;
  return {
    app: appRefOf(app),
    ...(rules.length > 0
      ? {
          rules,
          componentTypes: componentTypesOf(app),
        }
      : {}),
  };
}
