/**
 * The `.status` of an Application object, in KubeVela's shape (`status.status` is the phase,
 * `services[]`, `workflow.steps[]`, `latestRevision`) so `kubectl get app` columns and tools written
 * for KubeVela read it — built from what `revela status` shows. Everything here comes from
 * Temporal and the clusters; nothing is stored only in the object.
 */
import type { ApplicationStatusView } from '../client/revela-client.js';
import type { StepStatus } from '../model/step-status.js';
import { mergeConditions, type Condition, type ConditionInput } from './conditions.js';

/** Why the object is or is not in step with Temporal (the `Synced` condition). */
export interface SyncOutcome {
  readonly ok: boolean;
  /** `Published`, `Saved`, `InSync`, or the typed error (`UnknownDefinition`, `InvalidParameters`, …). */
  readonly reason: string;
  readonly message: string;
}

function step(s: StepStatus): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    phase: s.phase,
    ...(s.message ? { message: s.message } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.firstExecuteTime ? { firstExecuteTime: s.firstExecuteTime } : {}),
    ...(s.lastExecuteTime ? { lastExecuteTime: s.lastExecuteTime } : {}),
    ...(s.subSteps && s.subSteps.length > 0 ? { subSteps: s.subSteps.map(step) } : {}),
  };
}

/**
 * The status to write: the application's view when there is one (absent before the first
 * successful apply), and the Synced and Ready conditions.
 *
 * @example
 * ```ts
 * applicationStatus(await revela.status(ref), { ok: true, reason: 'InSync', message: '…' }, 3, [], now);
 * ```
 */
export function applicationStatus(
  view: ApplicationStatusView | undefined,
  sync: SyncOutcome,
  generation: number | undefined,
  previous: readonly Condition[],
  now: string,
): Record<string, unknown> {
  const conditions: ConditionInput[] = [
    {
      type: 'Synced',
      status: sync.ok ? 'True' : 'False',
      reason: sync.reason,
      message: sync.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    },
  ];
  if (!view) {
    return {
      status: sync.ok ? 'starting' : 'invalid',
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      conditions: mergeConditions(previous, conditions, now),
      services: null,
      workflow: null,
      latestRevision: null,
      currentRevision: null,
    };
  }
  const { app, run } = view;
  const current = app.currentRevision;
  const latest = app.revisions.at(-1);
  const healthy = view.services.length > 0 && view.services.every((s) => s.healthy);
  conditions.push({
    type: 'Ready',
    status: app.phase === 'running' && healthy ? 'True' : 'False',
    reason: app.phase,
    message:
      view.waiting.length > 0
        ? view.waiting.join('; ')
        : current
          ? `${current.name} ${current.status}${current.description ? `: ${current.description}` : ''}`
          : 'no revision published yet',
  });
  return {
    status: app.phase,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    latestRevision: latest ? { name: latest.name, revision: latest.number, revisionHash: latest.hash } : null,
    currentRevision: current
      ? {
          name: current.name,
          status: current.status,
          ...(current.publishVersion ? { publishVersion: current.publishVersion } : {}),
          hash: current.hash,
        }
      : null,
    services: view.services.map((s) => ({
      name: s.component,
      cluster: s.cluster,
      namespace: s.namespace,
      type: s.type,
      healthy: s.healthy,
      message: s.message,
      ...(s.traits.length > 0 ? { traits: s.traits.map((t) => ({ type: t })) } : {}),
    })),
    workflow: run
      ? {
          appRevision: run.revision,
          mode: `${run.mode.steps}-${run.mode.subSteps}`,
          status: run.status,
          finished: run.finished,
          suspend: run.suspended,
          terminated: run.terminated,
          ...(run.message ? { message: run.message } : {}),
          ...(view.waiting.length > 0 ? { waiting: [...view.waiting].sort() } : {}),
          steps: run.steps.map(step),
        }
      : null,
    conditions: mergeConditions(previous, conditions, now),
  };
}
