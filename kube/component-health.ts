import type { ComponentDefinition } from '../model/definition.js';
import { evaluateComponentStatus } from '../model/health.js';
import { objectLabel, type KubeObject } from '../model/kube-object.js';
import type { HealthTarget } from '../model/step-render.js';
import type { ComponentHealth } from '../model/step-status.js';
import type { ClusterClient } from './cluster-client.js';
import { checkObjectHealth } from './health.js';

/** What `status` says of a component whose workload is not on the cluster (KubeVela's tree word). */
export const NOT_DEPLOYED = 'not deployed';

/**
 * Health of one component on one cluster, read live: its workload by the rollout rules, then the
 * definition's own health policy and message (webservice's `Ready:1/1`). A workload or output
 * missing from the cluster makes the component unhealthy, `not deployed`.
 */
export async function componentHealth(
  client: ClusterClient,
  target: HealthTarget,
  options: { signal?: AbortSignal } = {},
): Promise<ComponentHealth> {
  const base = {
    cluster: client.cluster,
    namespace: target.namespace,
    component: target.component,
    type: target.type,
    traits: target.traits,
  };
  const workload = await client.read(target.workload, options);
  if (!workload) return { ...base, healthy: false, message: NOT_DEPLOYED };
  const outputs: Record<string, KubeObject | undefined> = {};
  const missing: string[] = [];
  for (const ref of target.outputs) {
    const object = await client.read(ref, options);
    outputs[objectLabel(ref)] = object;
    if (!object) missing.push(objectLabel(ref));
  }

  const rollout = await checkObjectHealth(workload);
  let healthy = rollout.healthy;
  let message = rollout.message;
  if (target.healthPolicy !== undefined || target.customStatus !== undefined) {
    // The definition's own policy and message (e.g. webservice's `Ready:0/3`) are what users
    // know from KubeVela; the rollout rules above still have to hold.
    const definition = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'ComponentDefinition',
      metadata: { name: target.type },
      spec: {
        // CUE status expressions go to the CUE engine (see model/health.ts).
        ...(target.statusEngine === 'cue' ? { schematic: { cue: { template: '' } } } : {}),
        status: { healthPolicy: target.healthPolicy, customStatus: target.customStatus },
      },
    } as unknown as ComponentDefinition;
    const custom = await evaluateComponentStatus(definition, {
      output: workload,
      outputs,
      parameter: target.parameter,
    });
    healthy = healthy && custom.healthy;
    if (custom.message) message = custom.message;
  }
  if (missing.length > 0) {
    healthy = false;
    message = `${missing.join(', ')} ${NOT_DEPLOYED}${message ? `; ${message}` : ''}`;
  }
  return { ...base, healthy, message };
}
