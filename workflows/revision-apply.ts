import type { ApplyResourceInput } from '../activities/types.js';
import { objectLabel, type KubeObject } from '../model/kube-object.js';
import type { RevisionRun } from './revision-run.js';

/**
 * One object of a revision written to one cluster: the fenced, ownership-checked `applyResource`
 * activity, then recorded in the run's inventory. Deploy lanes and KubeVela's object-writing steps
 * both write this way, so both keep the fencing and ownership invariants.
 */
export async function applyForRun(
  run: RevisionRun,
  cluster: string,
  object: KubeObject,
  ownership: ApplyResourceInput['ownership'],
): Promise<void> {
  const fence = run.input.fence;
  await run.cluster.applyResource.executeWithOptions(
    { summary: `apply ${objectLabel({ kind: object.kind, name: object.metadata.name })} → ${cluster}` },
    [
      {
        cluster,
        object,
        revision: run.revision,
        ...(fence !== undefined ? { fence } : {}),
        ...(ownership ? { ownership } : {}),
      },
    ],
  );
  run.recordApplied(cluster, object);
}
