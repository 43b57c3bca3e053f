import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Application } from '../../model/application.js';
import { decideGarbage, gcRuleFor } from '../../model/garbage-decision.js';
import type { KubeObject } from '../../model/kube-object.js';
import { decideApply, type ApplyDecision, type ApplyDecisionInput } from '../../model/ownership.js';
import {
  ANNOTATION_SHARED_BY,
  fieldManagerFor,
  MAX_FIELD_MANAGER_LENGTH,
  sharedHolders,
} from '../../model/ownership-metadata.js';
import { ownershipPoliciesOf } from '../../model/ownership-policies.js';
import { garbageScope, ownershipFor, withOwnership } from '../../model/ownership-scope.js';
import { factsOf, matchesSelector } from '../../model/resource-selector.js';
import { expectGolden } from './helpers/golden.js';

const A = { namespace: 'shop', name: 'team-a' };
const B = { namespace: 'shop', name: 'team-b' };

function deployment(
  owner: { namespace: string; name: string } | undefined,
  extra: { replicas?: number; image?: string; sharedBy?: string; managers?: string[] } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'api',
      namespace: 'shop',
      uid: 'uid-1',
      labels: {
        ...(owner ? { 'app.oam.dev/name': owner.name, 'app.oam.dev/namespace': owner.namespace } : {}),
        'app.oam.dev/component': 'api',
        'workload.oam.dev/type': 'webservice',
        'app.oam.dev/resourceType': 'WORKLOAD',
      },
      ...(extra.sharedBy !== undefined ? { annotations: { [ANNOTATION_SHARED_BY]: extra.sharedBy } } : {}),
      ...(extra.managers ? { managedFields: extra.managers.map((manager) => ({ manager })) } : {}),
    },
    spec: {
      replicas: extra.replicas ?? 1,
      template: { spec: { containers: [{ name: 'api', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

/** A decision as a user would read it: what happens, why, and what would be sent. */
function summary(d: ApplyDecision): Record<string, unknown> {
  const out: Record<string, unknown> = { action: d.action, reason: d.reason };
  if ('force' in d) out.force = d.force;
  if ('fieldManager' in d) out.fieldManager = d.fieldManager;
  if ('holders' in d && d.holders) out.holders = d.holders.map((h) => `${h.namespace}/${h.name}`);
  if ('body' in d) out.sends = { replicas: (d.body.spec as { replicas?: number }).replicas };
  if (d.action === 'refuse') out.error = { type: d.error.type, message: d.error.message };
  return out;
}

const CASES: [string, ApplyDecisionInput][] = [
  ['nothing live: create', { desired: deployment(A), live: undefined, app: A }],
  [
    'owned by this app: update, taking back fields kubectl changed',
    {
      desired: deployment(A),
      live: deployment(A, { replicas: 3, managers: ['revela/shop/team-a', 'kubectl'] }),
      app: A,
    },
  ],
  [
    'owned by this app, another app wrote fields: update without force',
    {
      desired: deployment(A),
      live: deployment(A, { managers: ['revela/shop/team-a', 'revela/shop/team-b'] }),
      app: A,
    },
  ],
  ['owned by another app: refused', { desired: deployment(B), live: deployment(A), app: B }],
  [
    'owned by another app that does not share: refused with a hint',
    {
      desired: deployment(B),
      live: deployment(A),
      app: B,
      ownership: { shared: true },
    },
  ],
  [
    'shared by its owner: share, writing nothing',
    {
      desired: deployment(B),
      live: deployment(A, { sharedBy: 'shop/team-a' }),
      app: B,
      ownership: { shared: true },
    },
  ],
  [
    'shared and created: holders start with this app',
    {
      desired: deployment(A),
      live: undefined,
      app: A,
      ownership: { shared: true },
    },
  ],
  ['made outside Revela: refused', { desired: deployment(A), live: deployment(undefined), app: A }],
  [
    'made outside Revela with take-over: adopted with force',
    {
      desired: deployment(A),
      live: deployment(undefined, { managers: ['kubectl-client-side-apply'] }),
      app: A,
      ownership: { takeOver: true },
    },
  ],
  [
    'owned by another app with take-over: adopted',
    {
      desired: deployment(B),
      live: deployment(A, { sharedBy: 'shop/team-a' }),
      app: B,
      ownership: { takeOver: true },
    },
  ],
  [
    'read-only and live: left alone',
    {
      desired: deployment(A),
      live: deployment(B),
      app: A,
      ownership: { readOnly: true },
    },
  ],
  [
    'read-only and missing: refused',
    {
      desired: deployment(A),
      live: undefined,
      app: A,
      ownership: { readOnly: true },
    },
  ],
  [
    'apply-once spec.replicas: a scaled Deployment keeps its replicas',
    {
      desired: deployment(A),
      live: deployment(A, { replicas: 5 }),
      app: A,
      ownership: { applyOnce: { paths: ['spec.replicas'], affect: 'always' } },
    },
  ],
  [
    'apply-once * on state keep: left alone',
    {
      desired: deployment(A),
      live: deployment(A, { replicas: 5 }),
      app: A,
      ownership: { applyOnce: { paths: ['*'], affect: 'onStateKeep' } },
      phase: 'state-keep',
    },
  ],
  [
    'apply-once * on state keep, during a deploy: updated',
    {
      desired: deployment(A),
      live: deployment(A, { replicas: 5 }),
      app: A,
      ownership: { applyOnce: { paths: ['*'], affect: 'onStateKeep' } },
      phase: 'deploy',
    },
  ],
];

describe('ownership decisions', () => {
  it('decide every case as in the golden file', () => {
    const table = CASES.map(([name, input]) => ({ case: name, ...summary(decideApply(input)) }));
    expectGolden('ownership-decisions.yaml', stringify(table, { lineWidth: 0 }));
  });

  it('refuse a second application naming the owner: Deployment shop/api is managed by application shop/team-a', () => {
    const d = decideApply({ desired: deployment(B), live: deployment(A), app: B });
    expect(d.action).toBe('refuse');
    if (d.action !== 'refuse') return;
    expect(d.error.type).toBe('ResourceOwnedByOtherApp');
    expect(d.error.message).toMatch(/^Deployment shop\/api is managed by application shop\/team-a/);
    expect(d.error.owner).toEqual(A);
  });

  it('never send the holders annotation in an apply body', () => {
    const desired = deployment(A, { sharedBy: 'shop/forged' });
    const d = decideApply({ desired, live: deployment(A), app: A });
    expect(d.action).toBe('update');
    if (d.action === 'update')
      expect(d.body.metadata.annotations ?? {}).not.toHaveProperty(ANNOTATION_SHARED_BY);
  });

  it('adopt the namespace Revela created for other objects when the application renders it', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', managedFields: [{ manager: 'revela' }] },
    };
    const desired: KubeObject = {
      ...ns,
      metadata: { name: 'shop', labels: { 'app.oam.dev/name': 'team-a', 'app.oam.dev/namespace': 'shop' } },
    };
    expect(decideApply({ desired, live: ns, app: A }).action).toBe('update');
  });
});

describe('field managers', () => {
  it('are revela/<namespace>/<app>', () => {
    expect(fieldManagerFor(A)).toBe('revela/shop/team-a');
  });

  it('stay within 128 characters for the longest names, and differ for names that share a prefix', () => {
    const ns = 'n'.repeat(63);
    const one = fieldManagerFor({ namespace: ns, name: `${'a'.repeat(62)}1` });
    const two = fieldManagerFor({ namespace: ns, name: `${'a'.repeat(62)}2` });
    expect(one.length).toBe(MAX_FIELD_MANAGER_LENGTH);
    expect(one).not.toBe(two);
  });
});

describe('resource selectors', () => {
  const facts = factsOf(deployment(A));

  it('match when every given condition holds (AND), any value of a list (OR)', () => {
    expect(matchesSelector({ resourceTypes: ['Deployment', 'Service'] }, facts)).toBe(true);
    expect(matchesSelector({ resourceTypes: ['Deployment'], resourceNames: ['other'] }, facts)).toBe(false);
    expect(
      matchesSelector(
        { componentNames: ['api'], componentTypes: ['webservice'], oamTypes: ['WORKLOAD'] },
        facts,
      ),
    ).toBe(true);
    expect(matchesSelector({ traitTypes: ['expose'] }, facts)).toBe(false);
  });

  it('select nothing when empty', () => {
    expect(matchesSelector({}, facts)).toBe(false);
  });
});

describe('ownership policies bound to rendered objects', () => {
  const app: Application = {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'team-a', namespace: 'shop' },
    spec: {
      components: [{ name: 'api', type: 'webservice', properties: {} }],
      policies: [
        {
          name: 'share',
          type: 'shared-resource',
          properties: { rules: [{ selector: { resourceTypes: ['ConfigMap'] } }] },
        },
        {
          name: 'once',
          type: 'apply-once',
          properties: {
            enable: true,
            rules: [{ selector: { componentNames: ['api'] }, strategy: { path: ['spec.replicas'] } }],
          },
        },
        {
          name: 'gc',
          type: 'garbage-collect',
          properties: {
            rules: [{ selector: { resourceTypes: ['PersistentVolumeClaim'] }, strategy: 'never' }],
          },
        },
      ],
    },
  };

  it('give each object only what its rules select', () => {
    const policies = ownershipPoliciesOf(app);
    expect(ownershipFor(policies, factsOf(deployment(A)))).toEqual({
      applyOnce: { paths: ['spec.replicas'], affect: 'always' },
    });
    expect(ownershipFor(policies, { kind: 'ConfigMap', name: 'settings', component: 'web' })).toEqual({
      shared: true,
    });
  });

  it('leave objects no rule selects exactly as rendered', () => {
    const plain = { ...app, spec: { ...app.spec, policies: [] } };
    const resources = [{ cluster: 'local', component: 'api', object: deployment(A) }];
    expect(withOwnership(plain, resources)).toEqual(resources);
  });

  it('turn state keep off for the whole application with apply-once and no rules (KubeVela)', () => {
    const policies = ownershipPoliciesOf({
      ...app,
      spec: { ...app.spec, policies: [{ name: 'o', type: 'apply-once', properties: { enable: true } }] },
    });
    expect(ownershipFor(policies, factsOf(deployment(A)))).toEqual({
      applyOnce: { paths: ['*'], affect: 'onStateKeep' },
    });
  });

  it('hand garbage collection the application and its rules', () => {
    const scope = garbageScope(app);
    expect(scope.app).toEqual(A);
    const rule = gcRuleFor(scope.rules ?? [], { kind: 'PersistentVolumeClaim', name: 'data' });
    expect(rule?.strategy).toBe('never');
  });
});

describe('garbage decisions', () => {
  it('delete only the object read, by uid, when this application owns it', () => {
    expect(decideGarbage({ live: deployment(A), app: A })).toEqual({
      action: 'delete',
      uid: 'uid-1',
      propagation: 'Background',
    });
    expect(decideGarbage({ live: deployment(A), app: A, propagation: 'orphan' })).toMatchObject({
      propagation: 'Orphan',
    });
  });

  it("never delete another application's object", () => {
    expect(decideGarbage({ live: deployment(B), app: A }).action).toBe('forget');
    expect(decideGarbage({ live: deployment(undefined), app: A }).action).toBe('forget');
  });

  it('release a shared object while others hold it, handing it to the next holder', () => {
    const live = deployment(A, { sharedBy: 'shop/team-a,shop/team-b' });
    expect(decideGarbage({ live, app: A })).toEqual({ action: 'release', holders: [B], newOwner: B });
    expect(decideGarbage({ live: deployment(B, { sharedBy: 'shop/team-b' }), app: B }).action).toBe('delete');
  });

  it('follow the rule strategy: never forgets, onAppDelete keeps', () => {
    expect(decideGarbage({ live: deployment(A), app: A, strategy: 'never' }).action).toBe('forget');
    expect(decideGarbage({ live: deployment(A), app: A, strategy: 'onAppDelete' }).action).toBe('keep');
    expect(decideGarbage({ live: undefined, app: A }).action).toBe('gone');
  });

  it('read holders as KubeVela writes them', () => {
    expect(sharedHolders(deployment(A, { sharedBy: 'shop/team-a, shop/team-b,bad' }))).toEqual([A, B]);
  });
});
