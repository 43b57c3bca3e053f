import { describe, expect, it } from 'vitest';
import { sortKeysDeep } from '../../model/canonical-json.js';
import type { KubeObject } from '../../model/kube-object.js';
import { finishObject, type RenderContext, type RenderedRole } from '../../model/render-object.js';

const ctx: RenderContext = {
  appName: 'shop',
  appNamespace: 'team-a',
  namespace: 'prod',
  revision: 'shop-v3',
  cluster: 'hangzhou1',
};

/** What finishing an object meant before metadata and labels were built in key order. */
function finishedAsCopies(object: KubeObject, role: RenderedRole, replicaKey?: string): unknown {
  const metadata: Record<string, unknown> = { ...object.metadata };
  if (object.kind === 'Namespace') delete metadata.namespace;
  else metadata.namespace = ctx.namespace;
  const labels: Record<string, unknown> = { ...(metadata.labels as object) };
  if (role.role === 'workload') {
    labels['workload.oam.dev/type'] = role.componentType;
    labels['app.oam.dev/resourceType'] = 'WORKLOAD';
  } else {
    labels['app.oam.dev/resourceType'] = 'TRAIT';
    labels['trait.oam.dev/type'] = role.trait ?? 'AuxiliaryWorkload';
    labels['trait.oam.dev/resource'] = role.name;
  }
  labels['app.oam.dev/appRevision'] = ctx.revision;
  labels['app.oam.dev/name'] = ctx.appName;
  labels['app.oam.dev/namespace'] = ctx.appNamespace;
  labels['app.oam.dev/component'] = 'web';
  labels['app.oam.dev/revision'] = ctx.revision;
  if (replicaKey !== undefined) labels['app.oam.dev/replicaKey'] = replicaKey;
  metadata.labels = labels;
  return sortKeysDeep({ ...object, metadata });
}

const cases: [string, () => KubeObject, RenderedRole, string?][] = [
  [
    'a workload whose template sets labels Revela owns',
    () => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        labels: { tier: 'backend', 'app.oam.dev/name': 'not-shop', 'app.oam.dev/revision': 'x' },
        annotations: { z: '1', a: '2' },
      },
      spec: { selector: { matchLabels: { b: '1', a: '2' } }, replicas: 2 },
    }),
    { role: 'workload', componentType: 'webservice' },
  ],
  [
    'an output of a trait, replicated, with a namespace of its own',
    () => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'elsewhere', name: 'web' },
      spec: { ports: [{ port: 80, name: 'http' }] },
    }),
    { role: 'output', name: 'webExpose', trait: 'expose' },
    'beijing',
  ],
  [
    'a cluster-scoped object with numeric label keys and an undefined member',
    () => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'web',
        namespace: 'ignored',
        labels: { '10': 'a', '9': 'b' },
        annotations: undefined,
      },
    }),
    { role: 'output', name: 'ns' },
  ],
  [
    'labels that are not an object of strings (left to the checks after)',
    () => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web', labels: ['x', 'y'] as unknown as Record<string, string> },
    }),
    { role: 'output', name: 'config' },
  ],
  [
    'a label value that is a number',
    () => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web', labels: { version: 3 } as unknown as Record<string, string> },
    }),
    { role: 'workload', componentType: 'k8s-objects' },
  ],
];

describe('finishing a rendered object', () => {
  for (const [title, make, role, replicaKey] of cases) {
    it(`gives ${title} the JSON, key order included, that copying and sorting gave`, () => {
      const finished = finishObject(make(), ctx, 'web', role, replicaKey);
      expect(JSON.stringify(finished)).toBe(JSON.stringify(finishedAsCopies(make(), role, replicaKey)));
    });
  }
});
