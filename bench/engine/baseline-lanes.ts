import type { RevelaClient } from '../../client/revela-client.js';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import type { KubeObject } from '../../model/kube-object.js';
import { renderRevisionSteps } from '../../model/step-render.js';
import type { BaselineLane } from './baseline-workflows.js';

/** The namespace the baseline publishes write to: beside Revela's objects, never over them. */
export const BASELINE_NAMESPACE = 'engine-baseline';

function moved<T extends { namespace?: string }>(x: T): T {
  return x.namespace === undefined ? x : { ...x, namespace: BASELINE_NAMESPACE };
}

/**
 * What a Revela revision applied and waited for, per cluster, moved to `BASELINE_NAMESPACE`: the
 * baseline workflow applies the same objects and waits for the same health, so the end-to-end
 * ratio compares like with like (a real rollout on both sides).
 */
export async function baselineLanes(
  revela: RevelaClient,
  registry: ClusterRegistry,
  ref: { name: string; namespace: string },
  revision: string,
): Promise<BaselineLane[]> {
  const { snapshot } = await revela.getRevision(ref, revision);
  const steps = await renderRevisionSteps(snapshot, revision, snapshot.clusters ?? registry.list());
  const lanes = new Map<string, BaselineLane>();
  const lane = (cluster: string) => {
    let l = lanes.get(cluster);
    if (!l) lanes.set(cluster, (l = { cluster, objects: [], targets: [] }));
    return l;
  };
  for (const step of steps) {
    for (const r of step.resources) {
      lane(r.cluster).objects.push({ ...r.object, metadata: moved(r.object.metadata) });
    }
    for (const [cluster, targets] of Object.entries(step.health)) {
      lane(cluster).targets.push(
        ...targets.map((t) => ({
          ...moved(t),
          workload: moved(t.workload),
          outputs: t.outputs.map(moved),
        })),
      );
    }
  }
  return [...lanes.values()];
}

/** The lanes with every container image set to `image`, so each baseline run is a real rollout. */
export function withLaneImage(lanes: readonly BaselineLane[], image: string): BaselineLane[] {
  return lanes.map((l) => ({
    ...l,
    objects: l.objects.map((o): KubeObject => {
      if (o.kind !== 'Deployment') return o;
      const copy = structuredClone(o) as unknown as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      for (const c of copy.spec.template.spec.containers) c.image = image;
      return copy as unknown as KubeObject;
    }),
  }));
}
