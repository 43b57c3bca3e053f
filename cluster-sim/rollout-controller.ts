import { createHash } from 'node:crypto';
import type { ClusterState } from './cluster-state.js';
import { clone, ensureObject, isPlainObject, str, type JsonObject } from './json.js';
import { findByKind, type ResourceType } from './resource-types.js';
import type { TimerSet } from './timer-set.js';

/**
 * Stands in for the Deployment and Job controllers. A Deployment rollout observes the new
 * generation, creates all new replicas, then makes them available one by one over
 * `rolloutDurationMs` while old replicas terminate; replicas whose image cannot be pulled never
 * become ready, and after `progressDeadlineSeconds` without progress the Deployment reports
 * `Progressing=False/ProgressDeadlineExceeded`. Jobs complete after the same duration.
 * Pods are not simulated: the status counters carry the whole story, which is all that
 * `kubectl rollout status` and Revela's health checks read.
 */

export interface RolloutControllerOptions {
  /** Time for a whole rollout; 0 finishes it inside the write that started it. */
  readonly rolloutDurationMs: number;
  readonly unpullableImages: readonly RegExp[];
  readonly timers: TimerSet;
}

interface Rollout {
  readonly namespace: string;
  readonly name: string;
  templateHash: string;
  revision: number;
  timer: NodeJS.Timeout | undefined;
  deadline: NodeJS.Timeout | undefined;
}

const DEPLOYMENT = findByKind('apps/v1', 'Deployment');
const JOB = findByKind('batch/v1', 'Job');

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function obj(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Stable JSON (sorted keys), so equal templates hash equally whatever order a merge left. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Like the pod-template-hash label: ten characters from the Kubernetes "safe" alphabet. */
function templateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(stableJson(template)).digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function setCondition(
  status: JsonObject,
  condition: { type: string; status: string; reason: string; message: string },
): void {
  const conditions = Array.isArray(status.conditions) ? (status.conditions as JsonObject[]) : [];
  const existing = conditions.find((c) => c.type === condition.type);
  const time = now();
  const next: JsonObject = {
    type: condition.type,
    status: condition.status,
    lastUpdateTime: time,
    lastTransitionTime: existing && existing.status === condition.status ? existing.lastTransitionTime : time,
    reason: condition.reason,
    message: condition.message,
  };
  status.conditions = existing ? conditions.map((c) => (c === existing ? next : c)) : [...conditions, next];
}

/** `25%` of 4 → 1, as the deployment controller rounds maxUnavailable down. */
function maxUnavailable(spec: JsonObject, replicas: number): number {
  const value = obj(obj(spec.strategy).rollingUpdate).maxUnavailable;
  if (obj(spec.strategy).type === 'Recreate') return replicas;
  if (typeof value === 'number') return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.floor((replicas * Number(percent[1])) / 100) : Math.floor(replicas / 4);
}

export class RolloutController {
  private readonly rollouts = new Map<string, Rollout>();

  constructor(
    private readonly state: ClusterState,
    private readonly options: RolloutControllerOptions,
  ) {}

  private unpullable(template: unknown): boolean {
    const containers = obj(obj(template).spec).containers;
    return (Array.isArray(containers) ? containers : []).some((c) => {
      const image = obj(c).image;
      return typeof image === 'string' && this.options.unpullableImages.some((re) => re.test(image));
    });
  }

  private id(object: JsonObject): string {
    return String(obj(object.metadata).uid);
  }

  private where(object: JsonObject): { namespace: string; name: string } {
    return { namespace: str(obj(object.metadata).namespace), name: str(obj(object.metadata).name) };
  }

  /** The stored object with this uid, if it still exists (a re-created object has a new uid). */
  private find(
    type: ResourceType | undefined,
    at: { namespace: string; name: string },
    id: string,
  ): JsonObject | undefined {
    if (!type) return undefined;
    const stored = this.state.get(type, at.namespace, at.name);
    return stored && this.id(stored) === id ? stored : undefined;
  }

  /**
   * Called for every client write before the object is stored: starts a rollout when the spec
   * changed and, with a zero duration, finishes it right here so the write already answers "ready".
   */
  admitted(type: ResourceType, previous: JsonObject | undefined, next: JsonObject): void {
    const generationChanged =
      !previous || obj(previous.metadata).generation !== obj(next.metadata).generation;
    if (type === DEPLOYMENT) {
      // The revision annotation is the controller's, so a client write that drops it gets it back.
      const rollout = this.rollouts.get(this.id(next));
      if (rollout && !generationChanged) this.annotateRevision(next, rollout.revision);
      if (generationChanged) this.startDeployment(previous, next);
    } else if (type === JOB && !previous) {
      this.startJob(next);
    }
  }

  /** Forgets an object's timers when it is deleted. */
  deleted(object: JsonObject): void {
    const rollout = this.rollouts.get(this.id(object));
    if (!rollout) return;
    this.options.timers.clear(rollout.timer);
    this.options.timers.clear(rollout.deadline);
    this.rollouts.delete(this.id(object));
  }

  /** After loading persisted objects: continue any rollout or Job that had not finished. */
  resume(): void {
    if (DEPLOYMENT) {
      for (const d of this.state.list(DEPLOYMENT)) {
        const template = obj(d.spec).template;
        const rollout: Rollout = {
          ...this.where(d),
          templateHash: templateHash(template),
          revision: 1,
          timer: undefined,
          deadline: undefined,
        };
        this.rollouts.set(this.id(d), rollout);
        if (!this.deploymentSettled(d)) this.scheduleDeployment(d, rollout, this.tickMs(d));
      }
    }
    if (JOB) {
      for (const j of this.state.list(JOB)) {
        if (!this.jobFinished(j) && !this.unpullable(obj(j.spec).template))
          this.scheduleJob(j, this.jobTickMs(j));
      }
    }
  }

  private annotateRevision(object: JsonObject, revision: number): void {
    const annotations = ensureObject(ensureObject(object, 'metadata'), 'annotations');
    annotations['deployment.kubernetes.io/revision'] = String(revision);
  }

  private replicaSetName(d: JsonObject, rollout: Rollout): string {
    return `${String(obj(d.metadata).name)}-${rollout.templateHash}`;
  }

  private tickMs(d: JsonObject): number {
    return this.options.rolloutDurationMs / (num(obj(d.spec).replicas, 1) + 1);
  }

  private startDeployment(previous: JsonObject | undefined, next: JsonObject): void {
    const id = this.id(next);
    const template = obj(next.spec).template;
    const hash = templateHash(template);
    const existing = this.rollouts.get(id);
    if (existing) {
      this.options.timers.clear(existing.timer);
      this.options.timers.clear(existing.deadline);
    }
    const templateChanged = !existing || existing.templateHash !== hash;
    const rollout: Rollout = {
      ...this.where(next),
      templateHash: hash,
      revision: templateChanged ? (existing?.revision ?? 0) + 1 : (existing?.revision ?? 1),
      timer: undefined,
      deadline: undefined,
    };
    this.rollouts.set(id, rollout);
    this.annotateRevision(next, rollout.revision);

    const status = obj(previous?.status);
    // Pods of the old template that were ready keep serving until new ones replace them.
    const oldReady = templateChanged
      ? num(status.readyReplicas)
      : num(status.replicas) - num(status.updatedReplicas);
    const newReady = templateChanged ? 0 : num(status.readyReplicas) - oldReady;
    next.status = previous ? clone(status) : {};
    const pending = { oldReady, newReady };

    if (this.options.rolloutDurationMs <= 0) {
      this.observe(next, rollout, pending);
      while (this.progress(next, rollout)) {
        /* each call makes one more replica available */
      }
      if (!this.deploymentSettled(next)) this.armDeadline(next, rollout);
      return;
    }
    if (!previous) {
      setCondition(obj(next.status), {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${this.replicaSetName(next, rollout)}"`,
      });
    }
    rollout.timer = this.options.timers.set(() => this.tick(id, pending), this.tickMs(next));
  }

  /** One step of a running rollout, on a stored Deployment. */
  private tick(id: string, pending: { oldReady: number; newReady: number } | undefined): void {
    if (!DEPLOYMENT) return;
    const rollout = this.rollouts.get(id);
    const stored = rollout && this.find(DEPLOYMENT, rollout, id);
    if (!rollout || !stored) return;
    rollout.timer = undefined;
    const d = clone(stored);
    if (pending) this.observe(d, rollout, pending);
    else this.progress(d, rollout);
    this.state.put(DEPLOYMENT, d);
    if (!this.deploymentSettled(d)) {
      this.armDeadline(d, rollout);
      if (!this.stuck(d)) this.scheduleDeployment(d, rollout, this.tickMs(d));
    } else {
      this.options.timers.clear(rollout.deadline);
    }
  }

  private scheduleDeployment(d: JsonObject, rollout: Rollout, ms: number): void {
    const id = this.id(d);
    const observed = num(obj(d.status).observedGeneration) === num(obj(d.metadata).generation);
    const pending = observed
      ? undefined
      : { oldReady: num(obj(d.status).replicas) - num(obj(d.status).updatedReplicas), newReady: 0 };
    rollout.timer = this.options.timers.set(() => this.tick(id, pending), ms);
  }

  /** The controller has seen the new spec: every new replica exists, none of them ready yet. */
  private observe(d: JsonObject, rollout: Rollout, pending: { oldReady: number; newReady: number }): void {
    const spec = obj(d.spec);
    const replicas = num(spec.replicas, 1);
    const status = ensureObject(d, 'status');
    const newReady = Math.min(pending.newReady, replicas);
    status.observedGeneration = num(obj(d.metadata).generation, 1);
    this.setCounts(d, replicas, pending.oldReady, newReady);
    setCondition(status, {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${this.replicaSetName(d, rollout)}" is progressing.`,
    });
    this.finishIfDone(d, rollout);
  }

  /** Makes one more new replica available (and retires one old one); false when nothing can move. */
  private progress(d: JsonObject, rollout: Rollout): boolean {
    const spec = obj(d.spec);
    const status = obj(d.status);
    const replicas = num(spec.replicas, 1);
    let oldReady = num(status.replicas) - num(status.updatedReplicas);
    let newReady = num(status.readyReplicas) - oldReady;
    if (this.unpullable(spec.template) || (newReady >= replicas && oldReady === 0)) return false;
    if (newReady < replicas) {
      newReady++;
      if (oldReady > 0) oldReady--;
    } else {
      oldReady = 0;
    }
    this.setCounts(d, replicas, oldReady, newReady);
    setCondition(status, {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${this.replicaSetName(d, rollout)}" is progressing.`,
    });
    this.finishIfDone(d, rollout);
    return true;
  }

  private setCounts(d: JsonObject, replicas: number, oldReady: number, newReady: number): void {
    const status = ensureObject(d, 'status');
    const total = replicas + oldReady;
    const ready = oldReady + newReady;
    status.replicas = total;
    status.updatedReplicas = replicas;
    status.readyReplicas = ready;
    status.availableReplicas = ready;
    if (total - ready > 0) status.unavailableReplicas = total - ready;
    else delete status.unavailableReplicas;
    // Kubernetes omits zero counters from the JSON; kubectl and Revela read a missing one as 0.
    for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'])
      if (status[key] === 0) delete status[key];
    const available = ready >= replicas - maxUnavailable(obj(d.spec), replicas);
    setCondition(
      status,
      available
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
    );
  }

  private finishIfDone(d: JsonObject, rollout: Rollout): void {
    if (!this.deploymentSettled(d)) return;
    setCondition(obj(d.status), {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${this.replicaSetName(d, rollout)}" has successfully progressed.`,
    });
  }

  private deploymentSettled(d: JsonObject): boolean {
    const status = obj(d.status);
    const replicas = num(obj(d.spec).replicas, 1);
    return (
      num(status.observedGeneration) === num(obj(d.metadata).generation) &&
      num(status.updatedReplicas) === replicas &&
      num(status.replicas) === replicas &&
      num(status.availableReplicas) === replicas
    );
  }

  private stuck(d: JsonObject): boolean {
    return (
      num(obj(d.status).observedGeneration) === num(obj(d.metadata).generation) &&
      this.unpullable(obj(d.spec).template)
    );
  }

  /** Restarts the progress deadline: it fires only after a whole deadline without progress. */
  private armDeadline(d: JsonObject, rollout: Rollout): void {
    if (!DEPLOYMENT) return;
    this.options.timers.clear(rollout.deadline);
    const id = this.id(d);
    const seconds = num(obj(d.spec).progressDeadlineSeconds, 600);
    rollout.deadline = this.options.timers.set(() => {
      rollout.deadline = undefined;
      const stored = this.find(DEPLOYMENT, rollout, id);
      if (!stored || this.deploymentSettled(stored)) return;
      const next = clone(stored);
      setCondition(ensureObject(next, 'status'), {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${this.replicaSetName(next, rollout)}" has timed out progressing.`,
      });
      this.state.put(DEPLOYMENT, next);
    }, seconds * 1000);
  }

  private jobTickMs(j: JsonObject): number {
    return this.options.rolloutDurationMs / Math.max(1, num(obj(j.spec).completions, 1));
  }

  private jobFinished(j: JsonObject): boolean {
    const conditions = obj(j.status).conditions;
    return (
      Array.isArray(conditions) &&
      conditions.some((c) => obj(c).type === 'Complete' || obj(c).type === 'Failed')
    );
  }

  private startJob(j: JsonObject): void {
    const spec = obj(j.spec);
    const completions = num(spec.completions, 1);
    j.status = {
      startTime: now(),
      active: Math.min(num(spec.parallelism, 1), completions),
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    if (spec.suspend === true || this.unpullable(spec.template)) return;
    if (this.options.rolloutDurationMs <= 0) {
      while (this.jobStep(j)) {
        /* each call completes one pod */
      }
      return;
    }
    this.scheduleJob(j, this.jobTickMs(j));
  }

  private scheduleJob(j: JsonObject, ms: number): void {
    if (!JOB) return;
    const id = this.id(j);
    const at = this.where(j);
    this.options.timers.set(() => {
      const stored = this.find(JOB, at, id);
      if (!stored) return;
      const next = clone(stored);
      const more = this.jobStep(next);
      this.state.put(JOB, next);
      if (more) this.scheduleJob(next, ms);
    }, ms);
  }

  /** One more pod succeeds; true while more remain. */
  private jobStep(j: JsonObject): boolean {
    const spec = obj(j.spec);
    const status = ensureObject(j, 'status');
    const completions = num(spec.completions, 1);
    const succeeded = num(status.succeeded) + 1;
    status.succeeded = succeeded;
    status.active = Math.min(num(spec.parallelism, 1), completions - succeeded);
    if (status.active === 0) delete status.active;
    if (succeeded < completions) return true;
    status.completionTime = now();
    status.ready = 0;
    for (const type of ['SuccessCriteriaMet', 'Complete']) {
      const conditions = Array.isArray(status.conditions) ? (status.conditions as JsonObject[]) : [];
      const time = now();
      status.conditions = [
        ...conditions,
        {
          type,
          status: 'True',
          lastProbeTime: time,
          lastTransitionTime: time,
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        },
      ];
    }
    return false;
  }
}
