import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cueEngine } from '../../cue/engine.js';
import type { RevelaDocument } from '../../model/document.js';
import type { KubeObject } from '../../model/kube-object.js';
import { parseYamlDocuments } from '../../model/loader.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

const NAMESPACE = 'cue-defs';

/** The KubeVela-style CUE definitions of the unit tests, applied to this test's namespace. */
function definitions(): RevelaDocument[] {
  return ['cue-webservice.yaml', 'cue-traits.yaml'].flatMap((file) =>
    parseYamlDocuments(readFileSync(new URL(`../fixtures/cue/${file}`, import.meta.url), 'utf8'), file).map(
      (d) => ({ ...d, metadata: { ...d.metadata, namespace: NAMESPACE } }),
    ),
  );
}

const application = parseYamlDocuments(`
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: shop
  namespace: ${NAMESPACE}
  annotations: {app.oam.dev/publishVersion: v1}
spec:
  components:
    - name: api
      type: cue-webservice
      properties:
        image: stefanprodan/podinfo:6.0.1
        replicas: 2
        tier: Frontend
        cmd: [./podinfo]
        ports: [{port: 9898, expose: true}]
      traits:
        - type: cue-sidecar
          properties: {name: proxy, image: envoyproxy/envoy:v1.31}
        - type: cue-env
          properties: {env: {LOG_LEVEL: debug}}
        - type: cue-service-meta
          properties: {owner: team-a}
`);

type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: unknown[];
  ports?: unknown[];
};

/**
 * KubeVela-format CUE definitions applied like `revela def apply`, used by a published
 * application, rendered by the worker's CUE engine and checked on the cluster field by field.
 */
describe('CUE definitions on the dev stack', { timeout: 300_000 }, () => {
  let stack: TestStack;
  beforeAll(async () => {
    await cueEngine(); // builds the evaluator on a machine that has none yet
    stack = await startTestStack();
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const read = (kind: string, apiVersion: string, name: string) =>
    stack.registry.client('local').read({ apiVersion, kind, name, namespace: NAMESPACE });

  it('an application of a CUE component with CUE traits deploys what the templates say', async () => {
    const applied = await stack.client.apply(definitions());
    expect(applied.map((o) => `${o.kind} ${o.name}`).sort()).toEqual([
      'ComponentDefinition cue-webservice',
      'TraitDefinition cue-env',
      'TraitDefinition cue-recreate',
      'TraitDefinition cue-service-meta',
      'TraitDefinition cue-sidecar',
    ]);
    const [published] = await stack.client.apply(application);
    const revision = published?.revision?.revision ?? '';
    expect(revision).toBe('shop-v1');
    const done = await stack.client.waitForRevision({ name: 'shop', namespace: NAMESPACE }, revision);
    expect(done.status).toBe('Succeeded');

    const deployment = (await read('Deployment', 'apps/v1', 'api')) as KubeObject & {
      spec: { replicas: number; template: { spec: { containers: Container[] } } };
    };
    expect(deployment.metadata.labels).toMatchObject({
      'app.example.com/tier': 'frontend',
      'app.oam.dev/name': 'shop',
      'app.oam.dev/component': 'api',
    });
    expect(deployment.spec.replicas).toBe(2);
    const [api, proxy, ...more] = deployment.spec.template.spec.containers;
    expect(more).toEqual([]);
    expect(api).toMatchObject({
      name: 'api',
      image: 'stefanprodan/podinfo:6.0.1',
      command: ['./podinfo'],
      args: ['--tier=frontend'],
      env: [
        { name: 'APP_NAME', value: 'shop' },
        { name: 'APP_REVISION', value: 'shop-v1' },
        { name: 'LOG_LEVEL', value: 'debug' },
      ],
    });
    expect(api?.ports).toMatchObject([{ name: 'port-9898', containerPort: 9898 }]);
    expect(proxy).toMatchObject({ name: 'proxy', image: 'envoyproxy/envoy:v1.31' });
    expect(proxy?.env).toBeUndefined();

    const service = (await read('Service', 'v1', 'api')) as KubeObject & {
      spec: { ports: { name: string; port: number; targetPort: number }[] };
    };
    expect(service.metadata.annotations).toMatchObject({
      'app.example.com/owner': 'team-a',
      'app.example.com/ports': '[9898]',
    });
    expect(service.spec.ports).toMatchObject([{ name: 'port-9898', port: 9898, targetPort: 9898 }]);
    const config = (await read('ConfigMap', 'v1', 'api-service')) as KubeObject & {
      data: Record<string, string>;
    };
    expect(config.data).toEqual({ owner: 'team-a' });

    // The CUE customStatus is what status shows.
    const status = await stack.client.status({ name: 'shop', namespace: NAMESPACE });
    expect(status.services.map((s) => `${s.component} ${s.healthy} ${s.message}`)).toContain(
      'api true Ready:2/2',
    );
  });
});
