import type { KubeObject } from '../model/kube-object.js';

/**
 * Health of live objects. Deployments follow `kubectl rollout status` exactly (same order of
 * checks, same messages), Jobs are healthy once complete, and other kinds are judged by the
 * definition's health policy, which the caller passes in as `evaluate`.
 */

export interface RolloutStatus {
  /** The rollout finished: every replica is updated and available. */
  readonly done: boolean;
  /** The rollout cannot finish without a change (ProgressDeadlineExceeded, a failed Job). */
  readonly failed: boolean;
  readonly message: string;
}

export interface ObjectHealth {
  readonly healthy: boolean;
  readonly message: string;
  /** Present and true when the object will not become healthy without a change. */
  readonly failed?: boolean;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function count(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function conditions(object: KubeObject): Condition[] {
  const list = record(object.status).conditions;
  return Array.isArray(list) ? list.map((c) => record(c) as Condition) : [];
}

/**
 * `kubectl rollout status` for one Deployment:
 * 1. a generation not yet observed → waiting for the spec update to be observed;
 * 2. `Progressing` with reason `ProgressDeadlineExceeded` → failed;
 * 3. fewer updated replicas than desired → "N out of M new replicas have been updated";
 * 4. more replicas than updated → "N old replicas are pending termination";
 * 5. fewer available than updated → "N of M updated replicas are available";
 * 6. otherwise rolled out.
 */
export function deploymentRolloutStatus(d: KubeObject): RolloutStatus {
  const name = d.metadata.name;
  const status = record(d.status);
  const generation = count(d.metadata.generation);
  const observed = count(status.observedGeneration);
  if (generation > observed) {
    return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = conditions(d).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const desired = count(record(d.spec).replicas, 1);
  const updated = count(status.updatedReplicas);
  const replicas = count(status.replicas);
  const available = count(status.availableReplicas);
  const waiting = (what: string): RolloutStatus => ({
    done: false,
    failed: false,
    message: `Waiting for deployment "${name}" rollout to finish: ${what}...`,
  });
  if (updated < desired) return waiting(`${updated} out of ${desired} new replicas have been updated`);
  if (replicas > updated) return waiting(`${replicas - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}

/** A Job is done when its `Complete` condition is true and failed when `Failed` is. */
export function jobStatus(j: KubeObject): RolloutStatus {
  const name = j.metadata.name;
  const isTrue = (type: string) => conditions(j).find((c) => c.type === type && c.status === 'True');
  const completions = count(record(j.spec).completions, 1);
  const succeeded = count(record(j.status).succeeded);
  if (isTrue('Complete'))
    return { done: true, failed: false, message: `job "${name}" completed (${succeeded}/${completions})` };
  const failed = isTrue('Failed');
  if (failed) {
    return {
      done: false,
      failed: true,
      message: `job "${name}" failed: ${failed.message ?? failed.reason ?? 'no reason given'}`,
    };
  }
  if (record(j.spec).suspend === true)
    return { done: false, failed: false, message: `job "${name}" is suspended` };
  return {
    done: false,
    failed: false,
    message: `Waiting for job "${name}" to complete: ${succeeded} of ${completions} completions succeeded...`,
  };
}

function isDeployment(o: KubeObject): boolean {
  return o.kind === 'Deployment' && o.apiVersion.startsWith('apps/');
}

function isJob(o: KubeObject): boolean {
  return o.kind === 'Job' && o.apiVersion.startsWith('batch/');
}

/**
 * Health of one live object (`undefined` when it does not exist): Deployments by the rollout
 * rules, Jobs by completion, other kinds by `evaluate` (the definition's health policy) when
 * given, else healthy because they exist.
 */
export async function checkObjectHealth(
  object: KubeObject | undefined,
  evaluate?: (obj: KubeObject) => Promise<{ healthy: boolean; message: string }>,
): Promise<ObjectHealth> {
  if (!object) return { healthy: false, message: 'not found' };
  if (isDeployment(object) || isJob(object)) {
    const status = isDeployment(object) ? deploymentRolloutStatus(object) : jobStatus(object);
    return status.failed
      ? { healthy: false, message: status.message, failed: true }
      : { healthy: status.done, message: status.message };
  }
  if (evaluate) {
    const result = await evaluate(object);
    return { healthy: result.healthy, message: result.message };
  }
  return { healthy: true, message: `${object.kind}/${object.metadata.name} exists` };
}
