import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { parseDocument } from '../../model/document.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { evaluateStepCondition } from '../../model/step-condition.js';
import { evaluateOutputs, snapshotWithInputs, withInputs } from '../../model/step-io.js';
import { evaluateValueFrom, parseValueFrom } from '../../model/value-from.js';

const scope = {
  output: { value: { status: { phase: 'Running', replicas: 3 }, data: { 'app.url': 'http://shop' } } },
  response: { items: [{ id: 7 }] },
};

function app(
  steps: unknown[],
  components: unknown[] = [{ name: 'web', type: 'webservice', properties: { image: 'nginx' } }],
) {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'prod' },
    spec: { components, workflow: { steps } },
  }) as Application;
}

function publishError(application: Application): unknown {
  try {
    buildSnapshot({ application, catalog: loadBuiltinDefinitions() });
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('step inputs and outputs', () => {
  it('valueFrom reads paths, indexes and quoted keys, and joins with +', () => {
    expect(evaluateValueFrom('output.value.status.phase', scope)).toBe('Running');
    expect(evaluateValueFrom('output.value.data["app.url"]', scope)).toBe('http://shop');
    expect(evaluateValueFrom('response.items[0].id', scope)).toBe(7);
    expect(evaluateValueFrom('"phase: " + output.value.status.phase', scope)).toBe('phase: Running');
    expect(evaluateValueFrom('output.value.status.replicas + 1', scope)).toBe(4);
    expect(evaluateValueFrom('output.value.status', scope)).toEqual({ phase: 'Running', replicas: 3 });
  });

  it('valueFrom names the path that is not set', () => {
    expect(() => evaluateValueFrom('output.value.status.podIP', scope)).toThrow(
      'valueFrom "output.value.status.podIP": output.value.status.podIP is not set',
    );
  });

  it('valueFrom refuses CUE it does not understand, with the position', () => {
    expect(() => parseValueFrom('strconv.FormatInt(output.port, 10)')).toThrow(
      'invalid valueFrom "strconv.FormatInt(output.port, 10)" at position 17: expected "+" or the end',
    );
  });

  it('an input with a parameterKey is written into the properties; the original stays untouched', () => {
    const properties = { slack: { url: { value: 'u' } } };
    const out = withInputs(properties, [{ from: 'msg', parameterKey: 'slack.message.text' }], { msg: 'hi' });
    expect(out).toEqual({ slack: { url: { value: 'u' }, message: { text: 'hi' } } });
    expect(properties).toEqual({ slack: { url: { value: 'u' } } });
    expect(withInputs({}, [{ from: 'p', parameterKey: 'env[0].value' }], { p: 80 })).toEqual({
      env: [{ value: 80 }],
    });
    expect(() => withInputs({}, [{ from: 'nope' }], {})).toThrow('input "nope" has no value');
  });

  it('outputs are evaluated by name', () => {
    expect(
      evaluateOutputs(
        [
          { name: 'phase', valueFrom: 'output.value.status.phase' },
          { name: 'first', valueFrom: 'response.items[0].id' },
        ],
        scope,
      ),
    ).toEqual({ phase: 'Running', first: 7 });
  });

  it('if reads inputs next to step statuses', () => {
    expect(evaluateStepCondition('inputs.status == "ok"', {}, { status: 'ok' })).toBe(true);
    expect(evaluateStepCondition('inputs.status == "ok"', {}, { status: 'bad' })).toBe(false);
    expect(
      evaluateStepCondition(
        'inputs["ready"] && status.a.succeeded',
        { a: { phase: 'succeeded' } },
        { ready: true },
      ),
    ).toBe(true);
    expect(evaluateStepCondition('inputs.count == "3"', {}, { count: 3 })).toBe(true);
    expect(evaluateStepCondition('!inputs.ready', {}, {})).toBe(true);
  });

  it('component inputs are written into a copy of the snapshot; without any the snapshot is the same object', () => {
    const plain = buildSnapshot({
      application: app([{ name: 'a', type: 'apply-component', properties: { component: 'web' } }]),
      catalog: loadBuiltinDefinitions(),
    });
    expect(snapshotWithInputs(plain, {}, 'a')).toBe(plain);
    const withIo = buildSnapshot({
      application: app(
        [
          {
            name: 'msg',
            type: 'print-message-in-status',
            properties: { message: 'x' },
            outputs: [{ name: 'image', valueFrom: '"nginx:1.27"' }],
          },
          { name: 'a', type: 'apply-component', properties: { component: 'web' } },
        ],
        [
          {
            name: 'web',
            type: 'webservice',
            properties: { image: 'nginx' },
            inputs: [{ from: 'image', parameterKey: 'properties.image' }],
          },
        ],
      ),
      catalog: loadBuiltinDefinitions(),
    });
    const patched = snapshotWithInputs(withIo, { image: 'nginx:1.27' }, 'a');
    expect(patched.application.spec.components[0]?.properties).toEqual({ image: 'nginx:1.27' });
    expect(withIo.application.spec.components[0]?.properties).toEqual({ image: 'nginx' });
    expect(() => snapshotWithInputs(withIo, {}, 'a')).toThrow(
      'component web reads input "image", which no step before a recorded',
    );
  });

  it('publish refuses an input from an output nobody declares, naming the path', () => {
    expect(
      publishError(
        app([
          { name: 'say', type: 'print-message-in-status', inputs: [{ from: 'ip', parameterKey: 'message' }] },
        ]),
      ),
    ).toMatchObject({
      type: 'MissingReference',
      message:
        'Application prod/shop: spec.workflow.steps[0].inputs[0].from: "say" reads input "ip", but no step or component declares an output of that name',
    });
  });

  it('publish refuses if: inputs.<name> that the step does not declare, and a valueFrom that does not parse', () => {
    expect(
      publishError(
        app([
          {
            name: 'say',
            type: 'print-message-in-status',
            properties: { message: 'x' },
            if: 'inputs.status == "ok"',
          },
        ]),
      ),
    ).toMatchObject({ type: 'MissingReference', path: 'spec.workflow.steps[0].if' });
    expect(
      publishError(
        app([
          {
            name: 'say',
            type: 'print-message-in-status',
            properties: { message: 'x' },
            outputs: [{ name: 'o', valueFrom: 'a.b(' }],
          },
        ]),
      ),
    ).toMatchObject({ type: 'InvalidDocument', path: 'spec.workflow.steps[0].outputs[0].valueFrom' });
  });

  it('a required parameter an input fills is not missing at publish; a wrong one next to it still is', () => {
    const steps = (extra: Record<string, unknown>) => [
      {
        name: 'read',
        type: 'read-object',
        properties: { name: 'x' },
        outputs: [{ name: 'msg', valueFrom: 'output.value.data.msg' }],
      },
      {
        name: 'say',
        type: 'print-message-in-status',
        properties: extra,
        inputs: [{ from: 'msg', parameterKey: 'message' }],
      },
    ];
    expect(publishError(app(steps({})))).toBeUndefined();
    expect(publishError(app(steps({ colour: 'red' })))).toMatchObject({
      type: 'InvalidParameters',
      path: 'spec.workflow.steps[1].properties.colour',
    });
  });
});
