import type { Simulator } from '../../cluster-sim/simulator.js';
import { LABEL_REVISION } from '../../model/labels.js';

/** What tests check of a Deployment in a simulated cluster. */
export interface DeploymentView {
  image: string | undefined;
  replicas: number | undefined;
  revision: string | undefined;
}

interface DeploymentShape {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
}

/** The Deployment `namespace/name` as stored by the simulator's cluster, if any. */
export function deploymentIn(
  simulator: Simulator,
  cluster: string,
  namespace: string,
  name: string,
): DeploymentView | undefined {
  const found = (simulator.objects(cluster) as DeploymentShape[]).find(
    (o) => o.kind === 'Deployment' && o.metadata.namespace === namespace && o.metadata.name === name,
  );
  if (!found) return undefined;
  return {
    image: found.spec?.template?.spec?.containers?.[0]?.image,
    replicas: found.spec?.replicas,
    revision: found.metadata.labels?.[LABEL_REVISION],
  };
}
