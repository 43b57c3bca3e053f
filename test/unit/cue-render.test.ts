import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cueEngine } from '../../cue/engine.js';
import { preflightDocuments } from '../../client/preflight.js';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { ComponentDefinition } from '../../model/definition.js';
import { CueEvaluationError, InvalidParametersError } from '../../model/errors.js';
import { evaluateComponentStatus } from '../../model/health.js';
import type { KubeObject } from '../../model/kube-object.js';
import { parseYamlDocuments } from '../../model/loader.js';

const fixture = (file: string) =>
  parseYamlDocuments(readFileSync(new URL(`../fixtures/cue/${file}`, import.meta.url), 'utf8'), file);
// Shared definitions live in vela-system, as KubeVela's do.
const definitions = [...fixture('cue-webservice.yaml'), ...fixture('cue-traits.yaml')].map((d) => ({
  ...d,
  metadata: { ...d.metadata, namespace: 'vela-system' },
}));

function app(components: unknown[]) {
  return parseYamlDocuments(
    JSON.stringify({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: 'examples' },
      spec: { components },
    }),
  );
}

async function render(components: unknown[], extra = definitions): Promise<KubeObject[]> {
  const [result] = await preflightDocuments([...extra, ...app(components)], {
    readCatalog: () => Promise.resolve(loadBuiltinDefinitions()),
    revision: () => 'shop-v2',
  });
  return (result?.steps ?? []).flatMap((s) => s.resources.map((r) => r.object));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

beforeAll(async () => {
  await cueEngine();
}, 600_000);

type Pod = { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] };
const pod = (o: KubeObject | undefined) =>
  (o as unknown as { spec: { template: { spec: Pod } } }).spec.template.spec;

describe(
  'applications using CUE definitions render through the publish pipeline',
  { timeout: 60_000 },
  () => {
    it('a CUE component with CUE traits gives the Deployment and Service KubeVela would', async () => {
      const objects = await render([
        {
          name: 'api',
          type: 'cue-webservice',
          properties: {
            image: 'ghcr.io/example/api:1.2.0',
            replicas: 2,
            ports: [{ port: 8080, expose: true }],
          },
          traits: [
            { type: 'cue-sidecar', properties: { name: 'proxy', image: 'envoyproxy/envoy:v1.31' } },
            { type: 'cue-env', properties: { env: { LOG_LEVEL: 'debug' } } },
            { type: 'cue-service-meta', properties: { owner: 'team-a' } },
          ],
        },
      ]);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Deployment/api',
        'Service/api',
        'ConfigMap/api-service',
      ]);
      const [deployment, service] = objects;
      expect(deployment?.metadata.namespace).toBe('examples');
      expect(deployment?.metadata.labels).toMatchObject({
        'app.oam.dev/name': 'shop',
        'app.oam.dev/component': 'api',
        'app.example.com/tier': 'backend',
      });
      expect((deployment as unknown as { spec: { replicas: number } }).spec.replicas).toBe(2);
      expect(pod(deployment).containers.map((c) => [c.name, c.image])).toEqual([
        ['api', 'ghcr.io/example/api:1.2.0'],
        ['proxy', 'envoyproxy/envoy:v1.31'],
      ]);
      expect(pod(deployment).containers[0]?.env).toEqual([
        { name: 'APP_NAME', value: 'shop' },
        { name: 'APP_REVISION', value: 'shop-v2' },
        { name: 'LOG_LEVEL', value: 'debug' },
      ]);
      expect(service?.metadata.annotations).toEqual({
        'app.example.com/owner': 'team-a',
        'app.example.com/ports': '[8080]',
      });
    });

    it('a wrong property is refused at its path in the application', async () => {
      const e = await failure(
        render([{ name: 'api', type: 'cue-webservice', properties: { image: 'x', replicas: -1 } }]),
      );
      expect(e).toBeInstanceOf(InvalidParametersError);
      expect((e as InvalidParametersError).path).toBe('spec.components[0].properties.replicas');
      expect((e as InvalidParametersError).object).toBe('Application examples/shop');
    });

    it('a wrong trait property is refused at the trait', async () => {
      const e = await failure(
        render([
          {
            name: 'api',
            type: 'cue-webservice',
            properties: { image: 'x' },
            traits: [{ type: 'cue-sidecar', properties: { name: 'p' } }],
          },
        ]),
      );
      expect(e).toMatchObject({
        type: 'InvalidParameters',
        path: 'spec.components[0].traits[0].properties.image',
      });
    });

    it('a CUE definition that does not compile is refused before anything is stored, with its position', async () => {
      const broken = parseYamlDocuments(
        [
          'apiVersion: core.oam.dev/v1beta1',
          'kind: TraitDefinition',
          'metadata: {name: broken}',
          'spec:',
          '  schematic:',
          '    cue:',
          '      template: |',
          '        patch: spec: {',
          '          replicas: parameter.replicas +',
          '        }',
        ].join('\n'),
      );
      const e = await failure(
        preflightDocuments(broken, { readCatalog: () => Promise.resolve(loadBuiltinDefinitions()) }),
      );
      expect(e).toBeInstanceOf(CueEvaluationError);
      expect(e).toMatchObject({
        object: 'TraitDefinition broken',
        path: 'spec.schematic.cue.template',
        position: { line: 3 },
      });
    });

    it('a definition with both jsonata and cue is refused', () => {
      expect(() =>
        parseYamlDocuments(
          'apiVersion: core.oam.dev/v1beta1\nkind: TraitDefinition\nmetadata: {name: both}\nspec:\n  schematic:\n    cue: {template: "patch: {}"}\n    jsonata: {parameter: {}, template: "{}"}\n',
        ),
      ).toThrow('TraitDefinition both: spec.schematic: must have exactly one of jsonata or cue');
    });
  },
);

describe('the health of a CUE component comes from its CUE status', { timeout: 60_000 }, () => {
  const definition = definitions.find((d) => d.metadata.name === 'cue-webservice') as ComponentDefinition;
  const live = (ready?: number) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { replicas: 2 },
      status: ready === undefined ? {} : { readyReplicas: ready },
    }) as unknown as KubeObject;

  it('Ready:1/2 while a pod is missing, then Ready:2/2 and healthy', async () => {
    expect(
      await evaluateComponentStatus(definition, { output: live(1), outputs: {}, parameter: {} }),
    ).toEqual({
      healthy: false,
      message: 'Ready:1/2',
    });
    expect(
      await evaluateComponentStatus(definition, { output: live(2), outputs: {}, parameter: {} }),
    ).toEqual({
      healthy: true,
      message: 'Ready:2/2',
    });
  });
});
