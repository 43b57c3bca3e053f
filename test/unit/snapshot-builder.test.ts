import { describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { parseDocument } from '../../model/document.js';
import {
  buildSnapshot,
  referencedObjectRefs,
  sanitizeReferencedObject,
} from '../../model/snapshot-builder.js';
import { RevisionSnapshotSchema, type ReferencedObject } from '../../model/snapshot.js';
import { podinfoApp, podinfoCatalog } from './helpers/podinfo.js';

function application(spec: Record<string, unknown>): Application {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'shop' },
    spec,
  }) as Application;
}

const refApp = application({
  components: [
    {
      name: 'config',
      type: 'ref-objects',
      properties: {
        objects: [
          { resource: 'configmap', name: 'settings' },
          { kind: 'Secret', name: 'db', cluster: 'vault' },
        ],
      },
    },
  ],
});

const secret = (password: string): ReferencedObject => ({
  cluster: 'vault',
  object: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop', uid: 'x' },
    type: 'Opaque',
    data: { password },
  },
});
const settings: ReferencedObject = {
  cluster: 'local',
  object: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'settings',
      namespace: 'shop',
      resourceVersion: '12',
      uid: 'abc',
      creationTimestamp: '2024-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
    data: { mode: 'prod' },
    status: { whatever: true },
  },
};

describe('building a snapshot', () => {
  it('produces a value the RevisionSnapshot schema accepts, also after a JSON round trip', () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    expect(RevisionSnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  });

  it('clears the application status and keeps the publishVersion annotation', () => {
    const app = { ...podinfoApp(), status: { phase: 'running' } };
    const snapshot = buildSnapshot({ application: app, catalog: podinfoCatalog() });
    expect(snapshot.application).not.toHaveProperty('status');
    expect(snapshot.application.metadata.annotations).toEqual({ 'app.oam.dev/publishVersion': 'alpha1' });
  });

  it('lists the objects ref-objects components read', () => {
    expect(referencedObjectRefs(refApp)).toEqual([
      { ref: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'shop' } },
      { cluster: 'vault', ref: { apiVersion: 'v1', kind: 'Secret', name: 'db', namespace: 'shop' } },
    ]);
  });

  it('records referenced objects without volatile metadata, and Secrets by name and data hash only', () => {
    const snapshot = buildSnapshot({
      application: refApp,
      catalog: podinfoCatalog(),
      referencedObjects: [settings, secret('c2VjcmV0')],
    });
    expect(snapshot.referencedObjects).toEqual([
      {
        cluster: 'local',
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings', namespace: 'shop' },
          data: { mode: 'prod' },
        },
      },
      {
        cluster: 'vault',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'shop' },
          dataSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        },
      },
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('c2VjcmV0');
  });

  it('changes the hash when a referenced Secret changes, without storing its data', () => {
    const a = buildSnapshot({
      application: refApp,
      catalog: podinfoCatalog(),
      referencedObjects: [settings, secret('c2VjcmV0')],
    });
    const b = buildSnapshot({
      application: refApp,
      catalog: podinfoCatalog(),
      referencedObjects: [settings, secret('b3RoZXI=')],
    });
    expect(b.hash).not.toBe(a.hash);
  });

  it('keeps a Secret reference that was already sanitized as it is', () => {
    const once = sanitizeReferencedObject(secret('c2VjcmV0').object);
    expect(sanitizeReferencedObject(once)).toEqual(once);
  });

  it('refuses a referenced object that was not read', () => {
    expect(() =>
      buildSnapshot({ application: refApp, catalog: podinfoCatalog(), referencedObjects: [settings] }),
    ).toThrow(
      'Application shop/shop: spec.components[0].properties.objects[1]: Secret shop/db was not found in cluster vault; create it or fix the reference',
    );
  });

  it('refuses sub-steps outside a step-group, ref together with steps, and conditions on unknown steps', () => {
    const components = [{ name: 'web', type: 'worker', properties: { image: 'a' } }];
    expect(() =>
      buildSnapshot({
        application: application({
          components,
          workflow: { steps: [{ name: 'd', type: 'deploy', subSteps: [{ name: 'x', type: 'suspend' }] }] },
        }),
        catalog: podinfoCatalog(),
      }),
    ).toThrow(
      'spec.workflow.steps[0].subSteps: only steps of type step-group have subSteps; this step is a deploy',
    );
    expect(() =>
      buildSnapshot({
        application: application({
          components,
          workflow: { ref: 'make-release-in-hangzhou', steps: [{ name: 'd', type: 'deploy' }] },
        }),
        catalog: podinfoCatalog(),
      }),
    ).toThrow('spec.workflow: set either ref (an external Workflow) or steps, not both');
    expect(() =>
      buildSnapshot({
        application: application({
          components,
          workflow: { steps: [{ name: 'd', type: 'deploy', if: 'status.approve.succeeded' }] },
        }),
        catalog: podinfoCatalog(),
      }),
    ).toThrow(
      'spec.workflow.steps[0].if: the condition reads the status of step "approve", which does not exist',
    );
  });

  it('refuses an apply-component step for a component the application does not have', () => {
    expect(() =>
      buildSnapshot({
        application: application({
          components: [{ name: 'web', type: 'worker', properties: { image: 'a' } }],
          workflow: { steps: [{ name: 'one', type: 'apply-component', properties: { component: 'api' } }] },
        }),
        catalog: podinfoCatalog(),
      }),
    ).toThrow(
      'spec.workflow.steps[0].properties.component: step "one" applies component "api", which is not a component of the application',
    );
  });

  it('refuses a dependency on a component that does not exist', () => {
    expect(() =>
      buildSnapshot({
        application: application({
          components: [{ name: 'web', type: 'worker', properties: { image: 'a' }, dependsOn: ['db'] }],
        }),
        catalog: podinfoCatalog(),
      }),
    ).toThrow(
      'spec.components[0].dependsOn[0]: component "web" depends on "db", which is not a component of the application',
    );
  });
});
