import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { componentHealth } from '../kube/component-health.js';
import { stateKeepWorkflowId } from '../model/ids.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { renderRevisionSteps } from '../model/step-render.js';
import type { ComponentHealth } from '../model/step-status.js';
import { stateKeepQuery, type StateKeepView } from '../workflows/state-keep-messages.js';

/** Where the health `status` shows comes from. */
export interface HealthSource {
  /**
   * `live`: read from the clusters now; `state-keep`: the application's last state-keep check, no
   * older than its period; `run`: what the revision's own health checks saw (only while it runs,
   * or when neither of the others is available — `status` then says so).
   */
  readonly kind: 'live' | 'state-keep' | 'run';
  /** When the health was read. */
  readonly checkedAt?: string;
  /** How old it is, for `state-keep`. */
  readonly ageMs?: number;
  /** Why live health could not be read, when it could not. */
  readonly note?: string;
}

export interface LiveHealthInput {
  readonly temporal: Client;
  readonly namespace: string;
  readonly app: string;
  readonly revision: string;
  readonly snapshot: () => Promise<RevisionSnapshot>;
  /** The clusters; undefined when this client has none (no kubeconfig). */
  readonly registry: () => Promise<ClusterRegistry | undefined>;
}

export interface LiveHealth {
  readonly services: ComponentHealth[];
  readonly source: HealthSource;
  /** The state-keep workflow's view (last check, repairs), when it has one. */
  readonly stateKeep?: StateKeepView;
}

async function readStateKeep(
  temporal: Client,
  namespace: string,
  app: string,
): Promise<StateKeepView | undefined> {
  try {
    return await temporal.workflow.getHandle(stateKeepWorkflowId(namespace, app)).query(stateKeepQuery);
  } catch {
    // Not started yet (no revision has succeeded since this release), or not reachable.
    return undefined;
  }
}

/**
 * Health of every component of a finished revision as the clusters have it now — never what the
 * revision recorded when it ended, which says nothing once someone deleted an object. Without
 * access to the clusters, the application's last state-keep check stands in while it is no older
 * than its period. A missing workload reads `not deployed`.
 */
export async function liveHealth(input: LiveHealthInput): Promise<LiveHealth | undefined> {
  const stateKeep = await readStateKeep(input.temporal, input.namespace, input.app);
  let note: string | undefined;
  const registry = await input.registry().catch((err: unknown) => {
    note = `no cluster access (${err instanceof Error ? err.message : String(err)})`;
    return undefined;
  });
  if (registry) {
    try {
      const checkedAt = new Date().toISOString();
      const steps = await renderRevisionSteps(await input.snapshot(), input.revision, registry.list());
      const services: ComponentHealth[] = [];
      for (const step of steps) {
        for (const [cluster, targets] of Object.entries(step.health)) {
          services.push(
            ...(await Promise.all(targets.map((t) => componentHealth(registry.client(cluster), t)))),
          );
        }
      }
      return { services, source: { kind: 'live', checkedAt }, ...(stateKeep ? { stateKeep } : {}) };
    } catch (err) {
      note = `the clusters could not be read (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  const last = stateKeep?.last;
  if (last && last.revision === input.revision && !last.skipped && !last.error) {
    const ageMs = Date.now() - Date.parse(last.checkedAt);
    if (ageMs <= last.intervalMs) {
      return {
        services: last.health,
        source: { kind: 'state-keep', checkedAt: last.checkedAt, ageMs, ...(note ? { note } : {}) },
        ...(stateKeep ? { stateKeep } : {}),
      };
    }
  }
  return {
    services: [],
    source: { kind: 'run', ...(note ? { note } : {}) },
    ...(stateKeep ? { stateKeep } : {}),
  };
}
