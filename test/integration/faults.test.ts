import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { freePort } from '../../dev/free-port.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import type { RevelaDocument } from '../../model/document.js';
import { revisionWorkflowId } from '../../model/ids.js';
import { testApp } from '../harness/apps.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

const EventType = temporal.api.enums.v1.EventType;
const BOTH = [{ name: 'both', type: 'topology', properties: { clusters: ['hangzhou1', 'hangzhou2'] } }];

/** Highest attempt number any activity of a workflow reached, per activity type. */
async function maxAttempts(stack: TestStack, workflowId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const scheduled = new Map<string, string>();
  for (const e of (await stack.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
    }
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const a = e.activityTaskStartedEventAttributes;
      const type = scheduled.get(String(a?.scheduledEventId)) ?? '?';
      out[type] = Math.max(out[type] ?? 0, a?.attempt ?? 0);
    }
  }
  return out;
}

/**
 * A component type whose template burns some CPU per component (tens of milliseconds, well inside
 * the template time limit), so a test can kill the worker while the render activity is running.
 */
function slowDefinition(namespace: string): RevelaDocument {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'ComponentDefinition',
    metadata: { name: 'slow-service', namespace },
    spec: {
      workload: { definition: { apiVersion: 'apps/v1', kind: 'Deployment' } },
      schematic: {
        jsonata: {
          parameter: { type: 'object', required: ['image'], properties: { image: { type: 'string' } } },
          template: `(
            $burn := $count([1..50000][$ % 7 = 0]);
            {
              "output": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": { "name": context.name },
                "spec": {
                  "replicas": 1,
                  "selector": { "matchLabels": { "app.oam.dev/component": context.name } },
                  "template": {
                    "metadata": { "labels": { "app.oam.dev/component": context.name, "burn": $string($burn) } },
                    "spec": { "containers": [{ "name": context.name, "image": parameter.image }] }
                  }
                }
              }
            }
          )`,
        },
      },
    },
  } as unknown as RevelaDocument;
}

describe('faults', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterEach(async () => {
    await stack.clusters.clearFaults();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('at 30% 5xx plus latency on every cluster, publishes still succeed within bounded retries', async () => {
    for (const cluster of ['local', 'hangzhou1', 'hangzhou2']) {
      stack.clusters.faults(cluster).failWith({ status: 503, rate: 0.3, seed: 7 });
      stack.clusters.faults(cluster).setLatency(40);
    }
    const refs = ['a', 'b', 'c'].map((name) => ({ name, namespace: 'flaky' }));
    const published = await Promise.all(
      refs.map((ref) =>
        stack.client.publish({
          // One Deployment per application: two applications never share an object (ownership).
          app: testApp({ ...ref, components: { [`web-${ref.name}`]: 'example.com/web:1' }, policies: BOTH }),
          publishVersion: 'v1',
        }),
      ),
    );
    let retried = 0;
    for (const [i, ref] of refs.entries()) {
      const done = await stack.client.waitForRevision(ref, published[i]!.revision, { timeoutMs: 120_000 });
      expect(done.status).toBe('Succeeded');
      const attempts = await maxAttempts(stack, revisionWorkflowId('flaky', published[i]!.revision));
      // applyResource allows 20 attempts; a 30% error rate needs a handful at most.
      expect(attempts.applyResource).toBeLessThanOrEqual(20);
      retried = Math.max(retried, attempts.applyResource ?? 0, attempts.checkHealth ?? 0);
      expect((await deploymentIn(stack.clusters, 'hangzhou2', 'flaky', `web-${ref.name}`))?.image).toBe(
        'example.com/web:1',
      );
    }
    // The faults really happened: something was retried.
    expect(retried).toBeGreaterThan(1);
  });

  it('a permanent 403 fails the step fast with the server’s message', async () => {
    stack.clusters.faults('hangzhou1').failWith({ status: 403, match: { verbs: ['patch'] } });
    const ref = { name: 'denied', namespace: 'forbidden' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { web: 'example.com/web:1' }, policies: BOTH }),
      publishVersion: 'v1',
    });
    const done = await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 30_000 });
    expect(done.status).toBe('Failed');
    const s = await stack.client.status(ref);
    const message = s.run?.steps[0]?.message ?? '';
    // The first write to hangzhou1 (its namespace) is refused; the server's words reach the step.
    expect(message).toMatch(/^hangzhou1: apply (Namespace\/forbidden|Deployment\/web): .*HTTP 403/);
    expect((await maxAttempts(stack, revisionWorkflowId('forbidden', v1.revision))).applyResource).toBe(1);
  });

  it('a partitioned cluster makes the step wait with a clear message, and it resumes when healed', async () => {
    await stack.clusters.faults('hangzhou2').refuseConnections(true);
    const ref = { name: 'island', namespace: 'partition' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { web: 'example.com/web:1' }, policies: BOTH }),
      publishVersion: 'v1',
    });
    const waiting = await eventually('the apply to hangzhou2 to report the partition', async () => {
      const s = await stack.client.status(ref);
      return s.waiting.some((w) => w.startsWith('hangzhou2:') && w.includes('ECONNREFUSED')) ? s : undefined;
    });
    expect(waiting.run?.status).toBe('Executing');
    expect(await deploymentIn(stack.clusters, 'hangzhou1', 'partition', 'web')).toBeDefined();

    await stack.clusters.clearFaults('hangzhou2');
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    expect((await deploymentIn(stack.clusters, 'hangzhou2', 'partition', 'web'))?.revision).toBe(v1.revision);
  });

  it('a storm of 20 publishes under faults still ends with one deployed revision and contiguous numbers', async () => {
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      stack.clusters.faults(cluster).failWith({ status: 500, rate: 0.3, seed: 11 });
      stack.clusters.faults(cluster).setLatency(20);
    }
    const ref = { name: 'stormy', namespace: 'storm-faults' };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.client.publish({
          app: testApp({ ...ref, components: { web: `example.com/web:${i}` }, policies: BOTH }),
          publishVersion: `s${i}`,
        }),
      ),
    );
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const last = results.find((r) => r.number === 20)!;
    expect((await stack.client.waitForRevision(ref, last.revision, { timeoutMs: 120_000 })).status).toBe(
      'Succeeded',
    );
    const revisions = await stack.client.listRevisions(ref);
    expect(revisions.filter((r) => r.status === 'Succeeded').map((r) => r.name)).toContain(last.revision);
    expect(revisions.filter((r) => r.status === 'Executing' || r.status === 'Suspended')).toEqual([]);
    const image = `example.com/web:${last.publishVersion?.slice(1)}`;
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      expect(await deploymentIn(stack.clusters, cluster, 'storm-faults', 'web')).toMatchObject({
        image,
        revision: last.revision,
      });
    }
  });
});

/** A local activity's result; `patched()` leaves markers of its own (`core_patch`), which are not renders. */
function isLocalActivityMarker(e: temporal.api.history.v1.IHistoryEvent): boolean {
  return (
    e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
    e.markerRecordedEventAttributes?.markerName === 'core_local_activity'
  );
}

describe('a worker killed with SIGKILL during render', () => {
  let stack: TestStack;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    stack = await startTestStack({
      startWorker: false,
      engine: { activityTimeoutMs: 8000, heartbeatTimeoutMs: 3000 },
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await stack?.stop();
  });

  it('renders again on the next worker and completes, nothing duplicated', async () => {
    worker = await startWorkerProcess({ ...stack.env });
    const ref = { name: 'heavy', namespace: 'crash-render' };
    await stack.client.apply([slowDefinition('crash-render')]);
    const app = testApp({ ...ref, components: {}, policies: BOTH });
    // 24 of them render for a second or two: six once fit, on a loaded CI machine, between the
    // publish's answer and the test's first look at the history, which then never saw a render
    // running.
    app.spec.components = Array.from({ length: 24 }, (_, i) => `c${i}`).map((name) => ({
      name,
      type: 'slow-service',
      properties: { image: `example.com/${name}:1` },
    }));
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    const revision = stack.temporal.workflow.getHandle(revisionWorkflowId('crash-render', v1.revision));
    await eventually(
      'the render to be running',
      async () => {
        // A local activity is not listed as pending: the revision has started its first task and
        // recorded no render result yet.
        const events = (await revision.fetchHistory()).events ?? [];
        const started = events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
        const rendered = events.some(isLocalActivityMarker);
        return started && !rendered ? events : undefined;
      },
      { intervalMs: 20 },
    );
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess({ ...stack.env });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 90_000 })).status).toBe(
      'Succeeded',
    );
    // Render is a local activity: it leaves one marker once it completed, on the second worker.
    const markers = ((await revision.fetchHistory()).events ?? []).filter(isLocalActivityMarker);
    expect(markers).toHaveLength(1);
    expect(await maxAttempts(stack, revisionWorkflowId('crash-render', v1.revision))).toEqual({
      applyResource: 1,
      checkHealth: 1,
    });
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['heavy-v1']);
  });
});

describe('the Temporal dev server restarted on its SQLite file mid-run', () => {
  let dir: string;
  let server: DevServer | undefined;
  let stack: TestStack | undefined;
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing: the waiting revision completes after the restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'revela-restart-'));
    const cli = await provisionTemporalCli({ log: () => undefined });
    const port = await freePort();
    const dbFilename = join(dir, 'temporal.db');
    server = await startDevServer({ cli, port, dbFilename });
    stack = await startTestStack({ temporalAddress: server.address, rollout: 'slow' });
    const ref = { name: 'durable', namespace: 'restart' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { web: 'example.com/web:1' }, policies: BOTH }),
      publishVersion: 'v1',
    });
    await eventually('the deploy step to wait for health', async () => {
      const s = await stack!.client.status(ref);
      return s.run?.steps[0]?.message === 'wait healthy' ? s : undefined;
    });

    await server.stop();
    server = await startDevServer({ cli, port, dbFilename });

    const done = await eventually(
      'podinfo to finish after the restart',
      async () => {
        const revisions = await stack!.client.listRevisions(ref);
        const r = revisions.find((x) => x.name === v1.revision);
        return r && r.status !== 'Executing' ? r : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(done.status).toBe('Succeeded');
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['durable-v1']);
    expect((await deploymentIn(stack.clusters, 'hangzhou1', 'restart', 'web'))?.revision).toBe(v1.revision);
  });
});
