import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { ComponentDefinition } from '../../model/definition.js';
import { evaluateComponentStatus } from '../../model/health.js';
import type { KubeObject } from '../../model/kube-object.js';

function definition(name: string): ComponentDefinition {
  const found = loadBuiltinDefinitions().componentDefinitions[name];
  if (!found) throw new Error(`no built-in ${name}`);
  return found;
}

function deployment(
  spec: Record<string, unknown>,
  status: Record<string, unknown> | undefined,
  generation = 2,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'podinfo', generation },
    spec,
    ...(status ? { status } : {}),
  };
}

const rolledOut = {
  observedGeneration: 2,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
};

async function webservice(object: KubeObject | undefined) {
  return evaluateComponentStatus(definition('webservice'), { output: object, outputs: {}, parameter: {} });
}

describe('webservice health follows kubectl rollout status', () => {
  it('is healthy once every replica is updated and available: Ready:3/3', async () => {
    expect(await webservice(deployment({ replicas: 3 }, rolledOut))).toEqual({
      healthy: true,
      message: 'Ready:3/3',
    });
  });

  it.each([
    // Ready counts pods of the new template only: the old pods stay ready during a rollout.
    ['the new generation is not observed yet', { ...rolledOut, observedGeneration: 1 }, 'Ready:0/3'],
    [
      'only 1 of 3 replicas is updated',
      { ...rolledOut, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 },
      'Ready:1/3',
    ],
    [
      'a new image cannot be pulled',
      { ...rolledOut, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 },
      'Ready:0/3',
    ],
    ['an old replica is pending termination', { ...rolledOut, replicas: 4, readyReplicas: 4 }, 'Ready:3/3'],
    [
      '2 of 3 updated replicas are available',
      { ...rolledOut, availableReplicas: 2, readyReplicas: 2 },
      'Ready:2/3',
    ],
    [
      'the progress deadline was exceeded',
      {
        ...rolledOut,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
      'Ready:3/3',
    ],
  ])('is unhealthy while %s', async (_case, status, message) => {
    expect(await webservice(deployment({ replicas: 3 }, status))).toEqual({ healthy: false, message });
  });

  it('is unhealthy with Ready:0/3 before the controller wrote any status', async () => {
    expect(await webservice(deployment({ replicas: 3 }, undefined))).toEqual({
      healthy: false,
      message: 'Ready:0/3',
    });
  });

  it('counts a Deployment without spec.replicas as one replica', async () => {
    const status = {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    };
    expect(await webservice(deployment({}, status, 1))).toEqual({ healthy: true, message: 'Ready:1/1' });
  });

  it('is unhealthy and "not found" when the workload does not exist', async () => {
    expect(await webservice(undefined)).toEqual({ healthy: false, message: 'not found' });
  });
});

describe('health of the other built-in components', () => {
  it('a task is healthy when its Job has succeeded as many times as it needs completions', async () => {
    const job = (succeeded?: number): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { completions: 2 },
      status: succeeded === undefined ? {} : { succeeded },
    });
    const task = definition('task');
    expect(await evaluateComponentStatus(task, { output: job(), outputs: {}, parameter: {} })).toEqual({
      healthy: false,
      message: 'Succeeded:0/2',
    });
    expect(await evaluateComponentStatus(task, { output: job(2), outputs: {}, parameter: {} })).toEqual({
      healthy: true,
      message: 'Succeeded:2/2',
    });
  });

  it('k8s-objects and ref-objects are healthy once their first object exists', async () => {
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    for (const name of ['k8s-objects', 'ref-objects']) {
      expect(
        await evaluateComponentStatus(definition(name), { output: configMap, outputs: {}, parameter: {} }),
      ).toEqual({ healthy: true, message: '' });
    }
  });

  it('a health policy that does not return a boolean is a TemplateError', async () => {
    const broken: ComponentDefinition = {
      ...definition('worker'),
      metadata: { name: 'broken' },
      spec: { ...definition('worker').spec, status: { healthPolicy: 'output.status.readyReplicas' } },
    };
    await expect(
      evaluateComponentStatus(broken, {
        output: deployment({ replicas: 1 }, { readyReplicas: 1 }),
        outputs: {},
        parameter: {},
      }),
    ).rejects.toThrow(
      'ComponentDefinition broken: spec.status.healthPolicy: must return true or false, got 1',
    );
  });
});
