import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { summarize } from '../lib/stats.js';

const EventType = proto.temporal.api.enums.v1.EventType;

/**
 * Where the time of a publish goes, from the revision's history timestamps (server clock, same
 * machine): the publish call until the revision workflow started, then each step of its run.
 */
export async function timeline(
  client: Client,
  runs: readonly { workflowId: string; calledAt: number; roundTripMs: number }[],
): Promise<Record<string, number>> {
  const segments: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (segments[name] ??= []).push(ms);
  for (const run of runs) {
    const events = (await client.workflow.getHandle(run.workflowId).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number] | undefined) =>
      Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
    type Kind = proto.temporal.api.enums.v1.EventType;
    const first = (type: Kind) => events.find((e) => e.eventType === type);
    const last = (type: Kind, activity?: string) =>
      [...events].reverse().find((e) => {
        if (e.eventType !== type) return false;
        if (!activity) return true;
        const scheduledId = String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.eventId);
        const scheduled = events.find((x) => String(x.eventId) === scheduledId);
        return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === activity;
      });
    const started = at(first(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED));
    const applyScheduled = at(first(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
    const applied = at(last(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'applyResource'));
    const healthy = at(last(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 'checkHealth'));
    const signaled = last(EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED);
    const closed = at(last(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED));
    add('publish call → revision workflow started', started - run.calledAt);
    add('publish call → answered (after the revision started)', run.roundTripMs);
    add('started → first apply scheduled (plan, render)', applyScheduled - started);
    add('applies on both clusters', applied - applyScheduled);
    add('health checks on both clusters', healthy - applied);
    if (signaled) {
      add('final report to the application (signal)', at(signaled) - healthy);
      add('report acknowledged → workflow closed', closed - at(signaled));
    } else {
      // Since `Patch.reportByResult` a run that ends by its own steps reports by its result: no signal to wait for.
      add('healthy → workflow closed (the result is the report)', closed - healthy);
    }
  }
  return Object.fromEntries(Object.entries(segments).map(([k, v]) => [k, summarize(v).p50Ms]));
}
