import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { isRevelaError } from '../../model/errors.js';
import type { KubeObject } from '../../model/kube-object.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { resolvePlacement } from '../../model/placement.js';
import { readReferencedObjects } from '../../model/ref-objects.js';
import { renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { planWorkflow } from '../../model/workflow-plan.js';

/** The application of a YAML text, as the CLI would read it. */
function app(yaml: string): Application {
  const [doc] = parseYamlDocuments(
    `apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: shop, namespace: prod}\n${yaml}`,
  );
  return doc as Application;
}

async function render(application: Application, cluster: KubeObject[] = []): Promise<KubeObject[]> {
  const referencedObjects = await readReferencedObjects(application, {
    read: (_c, ref) =>
      Promise.resolve(cluster.find((o) => o.kind === ref.kind && o.metadata.name === ref.name)),
    list: (_c, q) =>
      Promise.resolve(
        cluster.filter(
          (o) =>
            o.kind === q.kind &&
            Object.entries(q.labelSelector).every(([k, v]) => o.metadata.labels?.[k] === v),
        ),
      ),
  });
  const snapshot = buildSnapshot({ application, catalog: loadBuiltinDefinitions(), referencedObjects });
  const rendered = await renderTargets(snapshot, resolvePlacement(snapshot, [], []), 'shop-v1');
  return rendered.map((r) => r.object);
}

async function refusal(fn: () => Promise<unknown>): Promise<{ type: string; path?: string; reason: string }> {
  try {
    await fn();
  } catch (e) {
    if (isRevelaError(e)) return { type: e.type, path: e.path, reason: e.reason };
    throw e;
  }
  throw new Error('expected a refusal');
}

const deployment = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'prod', labels },
  spec: { replicas: 1, template: { spec: { containers: [{ name, image: 'x' }] } } },
});

describe('KubeVela documents Revela 0.1.0 refused', () => {
  it('names a k8s-objects object without metadata.name after the component', async () => {
    const [cm] = await render(
      app(`spec:
  components:
    - name: settings
      type: k8s-objects
      properties:
        objects: [{ apiVersion: v1, kind: ConfigMap, data: { a: b } }]`),
    );
    expect(cm?.metadata.name).toBe('settings');
  });

  it('reads a ref-objects entry without a name by the component name, and group confirms the API group', async () => {
    const [object] = await render(
      app(`spec:
  components:
    - name: legacy
      type: ref-objects
      properties:
        objects: [{ resource: deployment, group: apps }]`),
      [deployment('legacy')],
    );
    expect(`${object?.kind}/${object?.metadata.name}`).toBe('Deployment/legacy');
  });

  it('reads every object a ref-objects labelSelector matches, by name', async () => {
    const objects = await render(
      app(`spec:
  components:
    - name: legacy
      type: ref-objects
      properties:
        objects: [{ resource: deployment, labelSelector: { tier: web } }]`),
      [deployment('b', { tier: 'web' }), deployment('a', { tier: 'web' }), deployment('c', { tier: 'db' })],
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('patches a referenced Deployment with scaler, and refuses scaler on a ConfigMap naming the trait', async () => {
    const [scaled] = await render(
      app(`spec:
  components:
    - name: legacy
      type: ref-objects
      properties: { objects: [{ resource: deployment }] }
      traits: [{ type: scaler, properties: { replicas: 4 } }]`),
      [deployment('legacy')],
    );
    expect((scaled?.spec as { replicas: number }).replicas).toBe(4);
    const refused = await refusal(() =>
      render(
        app(`spec:
  components:
    - name: raw
      type: k8s-objects
      properties: { objects: [{ apiVersion: v1, kind: ConfigMap, metadata: { name: c } }] }
      traits: [{ type: scaler }]`),
      ),
    );
    expect(refused).toMatchObject({ type: 'TraitNotApplicable', path: 'spec.components[0].traits[0].type' });
  });

  it('names unnamed policies after their type, so the default workflow deploys by topology', () => {
    const application = app(`spec:
  components: [{ name: web, type: webservice, properties: { image: nginx } }]
  policies:
    - type: topology
      properties: { clusters: [local] }
    - type: override
      properties: { components: [{ type: webservice, properties: { replicas: 2 } }] }`);
    expect(application.spec.policies?.map((p) => p.name)).toEqual(['topology', 'override']);
    const snapshot = buildSnapshot({ application, catalog: loadBuiltinDefinitions() });
    expect(planWorkflow(snapshot).steps.map((s) => s.name)).toEqual(['deploy-topology']);
  });

  it('reads empty (null) traits and properties as absent', async () => {
    const [web, task] = await render(
      app(`spec:
  components:
    - name: web
      type: webservice
      properties: { image: nginx }
      traits:
    - name: job
      type: task
      properties: { image: busybox }
      traits:
        - type: labels
          properties:`),
    );
    expect(web?.kind).toBe('Deployment');
    expect(task?.kind).toBe('Job');
  });

  it("takes webservice's deprecated port as a container port, and leaves replicas unset unless given", async () => {
    const [web, ...rest] = await render(
      app(`spec:
  components: [{ name: web, type: webservice, properties: { image: nginx, port: 8000 } }]`),
    );
    const spec = web?.spec as { replicas?: number; template: { spec: { containers: { ports: unknown }[] } } };
    expect(spec.template.spec.containers[0]?.ports).toEqual([{ containerPort: 8000 }]);
    expect(spec.replicas).toBeUndefined();
    expect(rest).toEqual([]);
  });

  it('env takes containers, replace and unset; expose takes annotations', async () => {
    const [web, service] = await render(
      app(`spec:
  components:
    - name: web
      type: webservice
      properties: { image: nginx, env: [{ name: OLD, value: "1" }, { name: KEEP, value: "2" }] }
      traits:
        - type: env
          properties: { containers: [{ env: { NEW: "3" }, unset: [OLD] }] }
        - type: expose
          properties: { port: [80], annotations: { lb: internal } }`),
    );
    const containers = (web?.spec as { template: { spec: { containers: { env: unknown }[] } } }).template.spec
      .containers;
    expect(containers[0]?.env).toEqual([
      { name: 'KEEP', value: '2' },
      { name: 'NEW', value: '3' },
    ]);
    expect(service?.metadata.annotations).toEqual({ lb: 'internal' });
  });

  it('accepts garbage-collect rules and refuses a rule with an unknown strategy by its path', async () => {
    const rules = (strategy: string) =>
      app(`spec:
  components: [{ name: web, type: webservice, properties: { image: nginx } }]
  policies:
    - name: gc
      type: garbage-collect
      properties: { rules: [{ selector: { resourceTypes: [Service] }, strategy: ${strategy} }] }`);
    expect(() =>
      buildSnapshot({ application: rules('never'), catalog: loadBuiltinDefinitions() }),
    ).not.toThrow();
    expect(
      await refusal(() =>
        Promise.resolve(
          buildSnapshot({ application: rules('sometimes'), catalog: loadBuiltinDefinitions() }),
        ),
      ),
    ).toMatchObject({ type: 'InvalidParameters', path: 'spec.policies[0].properties.rules[0].strategy' });
  });
});
