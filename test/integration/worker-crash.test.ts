import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withPublishVersion, type Application } from '../../model/application.js';
import { revisionWorkflowId } from '../../model/ids.js';
import { loadDocuments } from '../../cli/load-documents.js';
import { temporal } from '@temporalio/proto';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;
const EventType = temporal.api.enums.v1.EventType;

async function podinfoIn(namespace: string) {
  const docs = (
    await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))
  )
    .flat()
    .map((d) => ({ ...d, metadata: { ...d.metadata, namespace } }));
  return {
    catalog: docs.filter((d) => d.kind !== 'Application'),
    app: docs.find((d): d is Application => d.kind === 'Application')!,
  };
}

/** Activity types scheduled in a revision's history, with how often each was scheduled. */
async function scheduledActivities(stack: TestStack, workflowId: string): Promise<Record<string, number>> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const attrs = e.activityTaskScheduledEventAttributes;
    const key = `${attrs?.activityType?.name}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('a worker killed with SIGKILL', () => {
  let stack: TestStack;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    stack = await startTestStack({
      startWorker: false,
      rollout: 'slow',
      // A dead worker's attempt is retried elsewhere after 5 s instead of the production 20–30 s.
      engine: { activityTimeoutMs: 5000, heartbeatTimeoutMs: 3000 },
    });
  });
  afterEach(async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('while a deploy waits for health: a new worker completes the revision, nothing duplicated', async () => {
    worker = await startWorkerProcess({ ...stack.env });
    const { catalog, app } = await podinfoIn('crash-health');
    const ref = { name: 'podinfo', namespace: 'crash-health' };
    await stack.client.apply(catalog);
    const v1 = await stack.client.publish({ app: withPublishVersion(app, 'v1'), publishVersion: 'v1' });

    await eventually('the deploy step to wait for health', async () => {
      const s = await stack.client.status(ref);
      return s.run?.steps[0]?.message === 'wait healthy' && s.waiting.length > 0 ? s : undefined;
    });
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess({ ...stack.env });

    const done = await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 });
    expect(done.status).toBe('Succeeded');
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['podinfo-v1']);
    // One apply per object and cluster, one health check per cluster: retries add no events.
    // Render is a local activity (a marker, not a scheduled task).
    expect(await scheduledActivities(stack, revisionWorkflowId('crash-health', 'podinfo-v1'))).toEqual({
      applyResource: 2,
      checkHealth: 2,
    });
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      expect(
        (await stack.clusters.deployments(cluster)).filter((o) => o.metadata.namespace === 'crash-health'),
      ).toHaveLength(1);
    }
  });

  it('while an apply is in flight: the apply is retried on the new worker and the revision completes', async () => {
    worker = await startWorkerProcess({ ...stack.env });
    const { catalog, app } = await podinfoIn('crash-apply');
    const ref = { name: 'podinfo', namespace: 'crash-apply' };
    await stack.client.apply(catalog);
    // Every write to hangzhou1 takes 2 s, so the worker dies with the request in flight.
    stack.clusters.faults('hangzhou1').setLatency(2000, { verbs: ['patch'] });
    const v1 = await stack.client.publish({ app: withPublishVersion(app, 'v1'), publishVersion: 'v1' });
    await eventually('an apply to hangzhou1 to be in flight', async () => {
      const d = await stack.temporal.workflow
        .getHandle(revisionWorkflowId('crash-apply', 'podinfo-v1'))
        .describe();
      return d.raw.pendingActivities?.some((a) => a.activityType?.name === 'applyResource') ? d : undefined;
    });
    await worker.kill('SIGKILL');
    await stack.clusters.clearFaults('hangzhou1');
    worker = await startWorkerProcess({ ...stack.env });

    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    expect(await scheduledActivities(stack, revisionWorkflowId('crash-apply', 'podinfo-v1'))).toEqual({
      applyResource: 2,
      checkHealth: 2,
    });
  });
});
