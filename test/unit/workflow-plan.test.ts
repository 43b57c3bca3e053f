import { describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { parseDocument } from '../../model/document.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { planWorkflow } from '../../model/workflow-plan.js';
import { podinfoApp, podinfoCatalog } from './helpers/podinfo.js';

function application(spec: Record<string, unknown>): Application {
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'examples' },
    spec: { components: [{ name: 'web', type: 'worker', properties: { image: 'nginx' } }], ...spec },
  }) as Application;
}

function plan(spec: Record<string, unknown>) {
  return planWorkflow(buildSnapshot({ application: application(spec), catalog: podinfoCatalog() }));
}

describe('the workflow plan', () => {
  it('takes the steps of the external workflow named by spec.workflow.ref', () => {
    const result = planWorkflow(buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() }));
    expect(result).toEqual({
      mode: { steps: 'StepByStep', subSteps: 'DAG' },
      steps: [
        {
          name: 'deploy-hangzhou',
          type: 'deploy',
          properties: {
            policies: ['topology-hangzhou-clusters', 'override-high-availability'],
            parallelism: 5,
            auto: true,
          },
          dependsOn: [],
        },
      ],
    });
  });

  it('deploys to the local cluster with the override policies when there is no workflow and no topology', () => {
    const result = plan({
      policies: [
        { name: 'ha', type: 'override', properties: {} },
        { name: 'gc', type: 'garbage-collect' },
      ],
    });
    expect(result.steps).toEqual([
      {
        name: 'deploy',
        type: 'deploy',
        properties: { policies: ['ha'], parallelism: 5, auto: true },
        dependsOn: [],
      },
    ]);
  });

  it('makes one deploy step per topology policy, each with every override policy', () => {
    const result = plan({
      policies: [
        { name: 'hz', type: 'topology', properties: { clusters: ['hangzhou1'] } },
        { name: 'ha', type: 'override', properties: {} },
        { name: 'bj', type: 'topology', properties: { clusters: ['beijing1'] } },
      ],
    });
    expect(result.steps.map((s) => [s.name, s.properties.policies])).toEqual([
      ['deploy-hz', ['hz', 'ha']],
      ['deploy-bj', ['bj', 'ha']],
    ]);
  });

  it('keeps inline steps with their conditions, timeouts, dependencies, sub-steps and modes', () => {
    const result = plan({
      workflow: {
        mode: { steps: 'DAG', subSteps: 'StepByStep' },
        steps: [
          { name: 'approve', type: 'suspend', timeout: '1h30m' },
          { name: 'rollout', type: 'deploy', dependsOn: ['approve'], properties: { parallelism: 2 } },
          {
            name: 'notify',
            type: 'step-group',
            if: 'status.rollout.failed',
            subSteps: [{ name: 'wait', type: 'suspend', properties: { duration: '30s' } }],
          },
        ],
      },
    });
    expect(result.mode).toEqual({ steps: 'DAG', subSteps: 'StepByStep' });
    expect(result.steps).toEqual([
      { name: 'approve', type: 'suspend', properties: {}, dependsOn: [], timeoutMs: 5_400_000 },
      {
        name: 'rollout',
        type: 'deploy',
        properties: { policies: [], parallelism: 2, auto: true },
        dependsOn: ['approve'],
      },
      {
        name: 'notify',
        type: 'step-group',
        properties: {},
        dependsOn: [],
        if: 'status.rollout.failed',
        subSteps: [{ name: 'wait', type: 'suspend', properties: { duration: '30s' }, dependsOn: [] }],
      },
    ]);
  });
});
