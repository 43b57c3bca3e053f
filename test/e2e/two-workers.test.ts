import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';
import { assertBuilt, CLI, ROOT } from './cli-stack.js';

interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker', '--health-port', '0', '--concurrency', '20'], {
    cwd: ROOT,
    env,
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') logs.push(parsed as Record<string, unknown>);
      } catch {
        // The bundler prints a few plain lines while the workflow bundle is built.
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) =>
    process.stderr.write(`[worker ${child.pid}] ${chunk.toString()}`),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, logs, exited };
}

function app(index: number): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name: `load-${index}`,
      namespace: 'default',
      annotations: { 'app.oam.dev/publishVersion': 'v1' },
    },
    // Each its own Deployment: applications sharing a name in one namespace would conflict (ownership).
    spec: {
      components: [{ name: `web-${index}`, type: 'webservice', properties: { image: `nginx:1.${index}` } }],
    },
  };
}

/**
 * Production topology in miniature: two `revela worker` processes on one task queue — the way a
 * Deployment with two replicas runs — share the work, and each serves /healthz and stops cleanly
 * on SIGTERM.
 */
describe('two revela worker processes on one task queue', () => {
  let stack: TestStack;
  let dir: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    stack = await startTestStack({ startWorker: false, rollout: 'fast' });
    dir = await mkdtemp(join(tmpdir(), 'revela-workers-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env, REVELA_LOG_FORMAT: 'json' };
    workers.push(startWorkerProcess(env), startWorkerProcess(env));
    await eventually(
      'both workers to log that they started',
      () => (workers.every((w) => w.logs.some((l) => l.msg === 'revela worker started')) ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('log structured JSON and answer /healthz', async () => {
    for (const w of workers) {
      const started = w.logs.find((l) => l.msg === 'revela worker started');
      expect(started).toMatchObject({
        level: 'INFO',
        taskQueue: stack.taskQueue,
        clusters: ['hangzhou1', 'hangzhou2', 'local'],
      });
      expect(typeof started?.time).toBe('string');
      const healthz = started?.healthz;
      expect(healthz).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/healthz$/);
      const res = await fetch(healthz as string);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        worker: 'RUNNING',
        deployment: 'revela',
        buildId: expect.stringMatching(/^0\.2\.0-[0-9a-f]{10}$/) as unknown,
      });
    }
  });

  it('share the activities of several publishes', async () => {
    const count = 8;
    await Promise.all(Array.from({ length: count }, (_, i) => stack.client.apply([app(i)])));
    const metas = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        stack.client.waitForRevision({ name: `load-${i}`, namespace: 'default' }, `load-${i}-v1`, {
          timeoutMs: 90_000,
        }),
      ),
    );
    expect(metas.map((m) => m.status)).toEqual(Array.from({ length: count }, () => 'Succeeded'));

    const activityWorkers = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      for (const id of [`app/default/load-${i}`, `rev/default/load-${i}-v1`]) {
        const history = await stack.temporal.workflow.getHandle(id).fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.activityTaskStartedEventAttributes?.identity;
          if (identity) activityWorkers.set(identity, (activityWorkers.get(identity) ?? 0) + 1);
        }
      }
    }
    // The SDK's default identity is <pid>@<host>: one per process.
    const pids = workers.map((w) => String(w.child.pid));
    expect([...activityWorkers.keys()].map((identity) => identity.split('@')[0]).sort()).toEqual(pids.sort());
    for (const n of activityWorkers.values()) expect(n).toBeGreaterThan(0);
  });

  it('stop cleanly on SIGTERM', async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(codes).toEqual([0, 0]);
    for (const w of workers) expect(w.logs.some((l) => l.msg === 'revela worker stopped')).toBe(true);
  });
});
