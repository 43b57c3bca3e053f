import {
  ActivityCancellationType,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities.js';
import type { StateKeepCheckResult } from '../activities/state-keep-check.js';
import { withDefaultSettings, type EngineSettings } from '../model/engine-settings.js';
import { PERMANENT } from './activities.js';
import { Patch } from './patches.js';
import { objectLabel } from '../model/kube-object.js';
import {
  stateKeepQuery,
  stateKeepReportSignal,
  stateKeepWakeSignal,
  type StateKeepCheck,
  type StateKeepRepair,
  type StateKeepView,
} from './state-keep-messages.js';

type Activities = ReturnType<typeof createActivities>;

export interface StateKeepInput {
  app: { namespace: string; name: string };
  /** The entity whose current revision is kept. */
  applicationWorkflowId: string;
  settings: EngineSettings;
  /** Carried across continue-as-new, so `status` never loses the last check. */
  last?: StateKeepCheck;
}

/**
 * Checks per run before continue-as-new: each costs about ten history events (the check, its
 * repairs, the timer), so a run stays far below Temporal's limits however long it lives.
 */
const CHECKS_PER_RUN = 100;

function messageOf(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } }).cause;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * State keep, as KubeVela's: after a revision of the application succeeded, its objects are
 * compared with what is live every interval (default 5 minutes; `state-keep` policy, engine
 * setting) and drift is applied again — each repair an activity of its own
 * (`state keep: restored Deployment/extra on local`), reported to the entity's audit log. apply-once
 * and read-only objects are left to others by the apply decision itself. The timer is durable; the
 * entity wakes the workflow when a revision or rollback succeeds, and it checks once no other
 * success has woken it for `stateKeepSettleMs`.
 */
export async function stateKeep(input: StateKeepInput): Promise<void> {
  const settings = withDefaultSettings(input.settings);
  const checks = proxyActivities<Activities>({
    startToCloseTimeout: settings.activityTimeoutMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: {
      initialInterval: '1s',
      maximumInterval: '10s',
      maximumAttempts: 3,
      nonRetryableErrorTypes: PERMANENT,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const repairs = proxyActivities<Activities>({
    startToCloseTimeout: settings.activityTimeoutMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: {
      initialInterval: '500ms',
      maximumInterval: '10s',
      maximumAttempts: 5,
      nonRetryableErrorTypes: PERMANENT,
    },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

  const view: StateKeepView = input.last ? { last: input.last } : {};
  let woken = false;
  setHandler(stateKeepQuery, () => view);
  setHandler(stateKeepWakeSignal, () => {
    woken = true;
  });
  /**
   * Returns once no success has woken this workflow for the settle period
   * (`Patch.stateKeepSettle`). However long it is, and however often successes keep coming, the
   * check comes at most one interval after the first, and at once when Temporal suggests
   * continuing as new (each wake adds events).
   */
  const settle = async (): Promise<void> => {
    const latest = Date.now() + settings.stateKeepIntervalMs;
    do {
      woken = false;
      const waitMs = Math.min(settings.stateKeepSettleMs, latest - Date.now());
      if (waitMs <= 0) return;
      view.nextCheckAt = new Date(Date.now() + waitMs).toISOString();
      if (!(await condition(() => woken, waitMs))) return;
    } while (!workflowInfo().continueAsNewSuggested);
  };

  // Started by a success (not continued from a run that has checked): that success settles too.
  if (input.last === undefined && patched(Patch.stateKeepSettle)) await settle();

  for (let i = 0; i < CHECKS_PER_RUN && !workflowInfo().continueAsNewSuggested; i++) {
    woken = false;
    const checkedAt = new Date().toISOString();
    let result: StateKeepCheckResult | undefined;
    try {
      result = await checks.stateKeepCheck.executeWithOptions(
        { summary: `state keep: check ${input.app.namespace}/${input.app.name}` },
        [
          {
            applicationWorkflowId: input.applicationWorkflowId,
            defaultIntervalMs: settings.stateKeepIntervalMs,
          },
        ],
      );
    } catch (err) {
      view.last = {
        revision: view.last?.revision ?? '',
        checkedAt,
        intervalMs: settings.stateKeepIntervalMs,
        health: [],
        repairs: [],
        conflicts: [],
        error: messageOf(err),
      };
    }
    if (result) {
      const done: StateKeepRepair[] = [];
      for (const d of result.drifted) {
        const object = objectLabel({ kind: d.resource.object.kind, name: d.resource.object.metadata.name });
        const repair: StateKeepRepair = {
          cluster: d.cluster,
          object,
          drift: d.drift,
          paths: d.paths,
          restored: false,
        };
        done.push(repair);
        if (!result.repair) {
          repair.error = 'repairs are off (state-keep policy)';
          continue;
        }
        if (woken) {
          repair.error = 'a newer revision or rollback succeeded meanwhile';
          continue;
        }
        try {
          await repairs.applyResource.executeWithOptions(
            { summary: `state keep: restored ${object} on ${d.cluster}` },
            [
              {
                cluster: d.cluster,
                object: d.resource.object,
                revision: result.revision,
                phase: 'state-keep',
                ...(result.fence !== undefined ? { fence: result.fence } : {}),
                ...(d.resource.ownership ? { ownership: d.resource.ownership } : {}),
              },
            ],
          );
          repair.restored = true;
        } catch (err) {
          repair.error = messageOf(err);
        }
      }
      view.last = {
        revision: result.revision,
        checkedAt: result.checkedAt,
        intervalMs: result.intervalMs,
        ...(result.skipped ? { skipped: result.skipped } : {}),
        health: result.health,
        repairs: done,
        conflicts: result.conflicts,
      };
      const restored = done.filter((r) => r.restored);
      if (restored.length > 0) {
        try {
          await getExternalWorkflowHandle(input.applicationWorkflowId).signal(stateKeepReportSignal, {
            revision: result.revision,
            time: result.checkedAt,
            restored,
          });
        } catch (err) {
          log.warn('state keep could not report to its application', { error: messageOf(err) });
        }
      }
    }
    const intervalMs = view.last?.intervalMs ?? settings.stateKeepIntervalMs;
    view.nextCheckAt = new Date(Date.now() + intervalMs).toISOString();
    await condition(() => woken, intervalMs);
    if (woken && patched(Patch.stateKeepSettle)) await settle();
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof stateKeep>({ ...input, ...(view.last ? { last: view.last } : {}) });
}
