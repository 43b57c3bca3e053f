import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { CueEngine } from '../../cue/engine.js';
import { cueEngine } from '../../cue/engine.js';
import { CueEvaluationError, InvalidParametersError } from '../../model/errors.js';

interface Definition {
  kind: string;
  metadata: { name: string };
  spec: {
    schematic: { cue: { template: string } };
    status?: { healthPolicy?: string; customStatus?: string };
  };
}

function definitions(file: string): Map<string, Definition> {
  const text = readFileSync(new URL(`../fixtures/cue/${file}`, import.meta.url), 'utf8');
  return new Map(
    parseAllDocuments(text).map((d) => {
      const def = d.toJS() as Definition;
      return [def.metadata.name, def];
    }),
  );
}

const webservice = definitions('cue-webservice.yaml').get('cue-webservice') as Definition;
const traits = definitions('cue-traits.yaml');
const context = {
  name: 'web',
  appName: 'shop',
  namespace: 'examples',
  appRevision: 'shop-v3',
  cluster: 'local',
};
const properties = { object: 'Application examples/shop', path: 'spec.components[0].properties' };

function component(parameter: Record<string, unknown>) {
  return {
    definition: 'cue-webservice',
    object: 'ComponentDefinition cue-webservice',
    template: webservice.spec.schematic.cue.template,
    parameter,
    context,
    properties,
  };
}

function trait(name: string, parameter: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    definition: name,
    object: `TraitDefinition ${name}`,
    template: (traits.get(name) as Definition).spec.schematic.cue.template,
    parameter,
    context: { ...context, ...extra },
    properties: { object: 'Application examples/shop', path: 'spec.components[0].traits[0].properties' },
  };
}

let engine: CueEngine;
beforeAll(async () => {
  engine = await cueEngine();
}, 600_000);

describe('the CUE engine renders KubeVela-style components', { timeout: 60_000 }, () => {
  it('fills defaults, context and the standard library into the Deployment', () => {
    const { output, outputs } = engine.renderComponent(
      component({ image: 'nginx:1.27', tier: 'Frontend', config: 'debug=1', args: ['-v'] }),
    );
    expect(output).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        labels: { 'app.example.com/tier': 'frontend' },
        annotations: { 'app.example.com/config': Buffer.from('debug=1').toString('base64') },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.oam.dev/component': 'web' } },
        template: {
          metadata: { labels: { 'app.oam.dev/component': 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                args: ['--tier=frontend', '-v'],
                env: [
                  { name: 'APP_NAME', value: 'shop' },
                  { name: 'APP_REVISION', value: 'shop-v3' },
                ],
              },
            ],
          },
        },
      },
    });
    expect(outputs).toEqual({});
  });

  it('renders a Service output only for exposed ports, named with strconv', () => {
    const { output, outputs } = engine.renderComponent(
      component({ image: 'nginx', ports: [{ port: 8080, expose: true }, { port: 9090 }] }),
    );
    const container = (output as { spec: { template: { spec: { containers: { ports: unknown }[] } } } }).spec
      .template.spec.containers[0];
    expect(container?.ports).toEqual([
      { name: 'port-8080', containerPort: 8080 },
      { name: 'port-9090', containerPort: 9090 },
    ]);
    expect(outputs?.service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: {
        selector: { 'app.oam.dev/component': 'web' },
        ports: [{ name: 'port-8080', port: 8080, targetPort: 8080 }],
      },
    });
  });

  it('compiles a template once and reuses it for every render', () => {
    const template = webservice.spec.schematic.cue.template;
    const ref = { definition: 'cue-webservice', object: 'ComponentDefinition cue-webservice' };
    expect(engine.compileDefinition(ref, template)).toBe(engine.compileDefinition(ref, template));
  });
});

describe('CUE errors name the definition, the property or the position', { timeout: 60_000 }, () => {
  it('a property of the wrong type is an InvalidParametersError at that property', () => {
    let error: unknown;
    try {
      engine.renderComponent(component({ image: 'nginx', replicas: 'three' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidParametersError);
    const e = error as InvalidParametersError;
    expect(e.path).toBe('spec.components[0].properties.replicas');
    expect(e.message).toMatch(
      /^Application examples\/shop: spec\.components\[0\]\.properties\.replicas: .*conflicting values "three" and int/,
    );
  });

  it('a missing required property is reported as that property', () => {
    expect(() => engine.renderComponent(component({}))).toThrow(
      expect.objectContaining({ type: 'InvalidParameters', path: 'spec.components[0].properties.image' }),
    );
  });

  it('the template’s errs refuse the properties with its own message', () => {
    expect(() => engine.renderComponent(component({ image: 'nginx', replicas: 12 }))).toThrow(
      expect.objectContaining({
        type: 'InvalidParameters',
        path: 'spec.components[0].properties',
        reason: 'replicas must be at most 10 here, got 12',
      }),
    );
  });

  it('a syntax error gives the line and column in the template', () => {
    const broken = { ...component({ image: 'x' }), template: 'output: {\n\tapiVersion: "v1"\n\tkind: \n}\n' };
    let error: unknown;
    try {
      engine.renderComponent(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CueEvaluationError);
    const e = error as CueEvaluationError;
    expect(e.object).toBe('ComponentDefinition cue-webservice');
    expect(e.path).toBe('spec.schematic.cue.template');
    expect(e.position).toEqual({ line: 4, column: 1 });
    expect(e.message).toMatch(
      /^ComponentDefinition cue-webservice: spec\.schematic\.cue\.template: line 4, column 1: /,
    );
  });

  it('a conflict inside the template names the CUE field and its position', () => {
    const conflicting = {
      ...component({ image: 'x' }),
      template: 'output: {\n\tkind: "Deployment"\n\tkind: "Service"\n}\nparameter: {}\n',
    };
    expect(() => engine.renderComponent(conflicting)).toThrow(
      expect.objectContaining({
        type: 'CueEvaluation',
        cuePath: 'output.kind',
        position: { line: 2, column: 8 },
        application: 'Application examples/shop spec.components[0].properties',
      }),
    );
  });
});

describe('CUE trait patches carry their patchKey and patchStrategy', { timeout: 60_000 }, () => {
  it('a sidecar patch is keyed by container name', () => {
    const result = engine.renderTrait(trait('cue-sidecar', { name: 'log', image: 'busybox', cmd: ['tail'] }));
    expect(result.patch).toEqual({
      spec: { template: { spec: { containers: [{ name: 'log', image: 'busybox', command: ['tail'] }] } } },
    });
    expect(result.patchAnnotations).toEqual([
      { path: ['spec', 'template', 'spec', 'containers'], patchKey: 'name' },
    ]);
  });

  it('an env patch is keyed on containers and, inside each, on env', () => {
    const result = engine.renderTrait(trait('cue-env', { env: { LOG: 'debug' } }));
    expect(result.patch).toEqual({
      spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'LOG', value: 'debug' }] }] } } },
    });
    expect(result.patchAnnotations).toEqual([
      { path: ['spec', 'template', 'spec', 'containers'], patchKey: 'name' },
      { path: ['spec', 'template', 'spec', 'containers', '[]', 'env'], patchKey: 'name' },
    ]);
  });

  it('retainKeys written above `strategy: type: …` annotates strategy', () => {
    expect(engine.renderTrait(trait('cue-recreate', {})).patchAnnotations).toEqual([
      { path: ['spec', 'strategy'], patchStrategy: 'retainKeys' },
    ]);
  });

  it('an annotation inside braces stays on its own field, also when fields come from a condition', () => {
    const template = [
      'patch: spec: {',
      '\tif parameter.keep {',
      '\t\tstrategy: {',
      '\t\t\t// +patchStrategy=retainKeys',
      '\t\t\trollingUpdate: maxSurge: 1',
      '\t\t}',
      '\t}',
      '}',
      'parameter: keep: bool',
    ].join('\n');
    const input = { ...trait('cue-recreate', { keep: true }), template };
    expect(engine.renderTrait(input).patchAnnotations).toEqual([
      { path: ['spec', 'strategy', 'rollingUpdate'], patchStrategy: 'retainKeys' },
    ]);
    expect(engine.renderTrait({ ...input, parameter: { keep: false } })).toMatchObject({
      patch: { spec: {} },
      patchAnnotations: [],
    });
  });

  it('patchOutputs read the outputs so far and come by output name, with outputs of their own', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80 }, { port: 443 }] },
    };
    const result = engine.renderTrait(
      trait('cue-service-meta', { owner: 'team-a' }, { outputs: { service } }),
    );
    expect(result.patchOutputs).toEqual({
      service: {
        metadata: { annotations: { 'app.example.com/owner': 'team-a', 'app.example.com/ports': '[80,443]' } },
      },
    });
    expect(result.outputs).toEqual({
      'service-config': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-service' },
        data: { owner: 'team-a' },
      },
    });
  });
});

describe('CUE status expressions read the live objects', { timeout: 60_000 }, () => {
  const status = webservice.spec.status ?? {};
  const live = (ready: number | undefined) => ({
    ...context,
    output: { spec: { replicas: 3 }, status: ready === undefined ? {} : { readyReplicas: ready } },
    outputs: {},
  });
  const evaluate = (ready: number | undefined) =>
    engine.evaluateStatus({
      definition: 'cue-webservice',
      object: 'ComponentDefinition cue-webservice',
      ...status,
      parameter: { image: 'nginx' },
      context: live(ready),
    });

  it('reports Ready:0/3 and unhealthy before any pod is ready', () => {
    expect(evaluate(undefined)).toEqual({ isHealth: false, message: 'Ready:0/3' });
  });

  it('reports Ready:3/3 and healthy once all are', () => {
    expect(evaluate(3)).toEqual({ isHealth: true, message: 'Ready:3/3' });
  });

  it('a health policy that does not set isHealth is refused', () => {
    expect(() =>
      engine.evaluateStatus({
        definition: 'x',
        object: 'ComponentDefinition x',
        healthPolicy: 'ok: true\n',
        parameter: {},
        context: live(1),
      }),
    ).toThrow(
      expect.objectContaining({
        type: 'CueEvaluation',
        path: 'spec.status.healthPolicy',
        cuePath: 'isHealth',
      }),
    );
  });
});
