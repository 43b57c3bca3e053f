import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { diffRendered, formatRenderedDiff } from '../model/diff.js';
import { renderRevision } from '../model/step-render.js';
import { placementClusters } from './placed-cluster.js';
import type { DiffRevisionsInput } from './types.js';

/** The rendered-resource diff between two revisions, as rollback `--dry-run` prints it. */
export async function diffRevisions(registry: ClusterRegistry, input: DiffRevisionsInput): Promise<string> {
  const [base, target] = await Promise.all([
    renderRevision(
      input.base.snapshot,
      input.base.revision,
      placementClusters(input.base.snapshot, registry),
    ),
    renderRevision(
      input.target.snapshot,
      input.target.revision,
      placementClusters(input.target.snapshot, registry),
    ),
  ]);
  return formatRenderedDiff(diffRendered(base, target));
}
