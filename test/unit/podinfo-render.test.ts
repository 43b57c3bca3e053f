import { describe, expect, it } from 'vitest';
import { toDiffYaml } from '../../model/diff.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import type { RenderedResource } from '../../model/rendered-resource.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { planWorkflow } from '../../model/workflow-plan.js';
import { expectGolden } from './helpers/golden.js';
import { podinfoApp, podinfoCatalog, podinfoClusters } from './helpers/podinfo.js';

async function renderPodinfoDeployStep(): Promise<RenderedResource[]> {
  const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
  const [step] = planWorkflow(snapshot).steps;
  if (!step) throw new Error('podinfo has no step');
  const targets = resolvePlacement(snapshot, step.properties.policies as string[], podinfoClusters(), {
    step: step.name,
  });
  return renderTargets(snapshot, targets, 'podinfo-v1');
}

describe('the podinfo example', () => {
  it('runs one step, deploy-hangzhou, placing by the topology and the override policy', () => {
    const snapshot = buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
    const plan = planWorkflow(snapshot);
    expect(plan.steps.map((s) => [s.name, s.type, s.properties.policies])).toEqual([
      ['deploy-hangzhou', 'deploy', ['topology-hangzhou-clusters', 'override-high-availability']],
    ]);
  });

  it('renders exactly one Deployment podinfo in namespace examples on hangzhou1 and on hangzhou2', async () => {
    const rendered = await renderPodinfoDeployStep();
    expect(
      rendered.map(
        (r) => `${r.cluster} ${r.object.kind} ${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}`,
      ),
    ).toEqual(['hangzhou1 Deployment examples/podinfo', 'hangzhou2 Deployment examples/podinfo']);
  });

  it("renders 3 replicas of stefanprodan/podinfo:6.0.1 carrying Revela's and KubeVela's labels", async () => {
    for (const { object } of await renderPodinfoDeployStep()) {
      const spec = object.spec as {
        replicas: number;
        template: { spec: { containers: { name: string; image: string }[] } };
      };
      expect(spec.replicas).toBe(3);
      expect(spec.template.spec.containers).toEqual([
        { name: 'podinfo', image: 'stefanprodan/podinfo:6.0.1' },
      ]);
      expect(object.metadata.labels).toEqual({
        'app.oam.dev/name': 'podinfo',
        'app.oam.dev/namespace': 'examples',
        'app.oam.dev/component': 'podinfo',
        'app.oam.dev/revision': 'podinfo-v1',
        'app.oam.dev/appRevision': 'podinfo-v1',
        'app.oam.dev/resourceType': 'WORKLOAD',
        'workload.oam.dev/type': 'webservice',
      });
    }
  });

  it('renders the manifests of the golden file', async () => {
    expectGolden('podinfo-rendered.yaml', toDiffYaml(await renderPodinfoDeployStep()));
  });

  it('renders byte-identical output every time', async () => {
    const first = JSON.stringify(await renderPodinfoDeployStep());
    const second = JSON.stringify(await renderPodinfoDeployStep());
    expect(second).toBe(first);
  });
});
