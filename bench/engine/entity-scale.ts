import type { Client } from '@temporalio/client';
import type { RevelaClient } from '../../client/revela-client.js';
import { withPublishVersion, type Application } from '../../model/application.js';
import { applicationWorkflowId } from '../../model/ids.js';
import { DEFAULT_TASK_QUEUE } from '../../workflows/task-queue.js';
import type { application } from '../../workflows/application.js';
import { summarize, type Summary } from '../lib/stats.js';
import { pool, type ProcessMeter } from './processes.js';

export interface EntityScaleResult {
  applications: number;
  /** Of which published once (a revision `Succeeded`, a state-keep workflow sleeping); the rest are entities without a draft. */
  published: number;
  /** Applications created (each published once and `Succeeded`) per second. */
  createdPerSecond: number;
  createSeconds: number;
  /** RSS of the one worker holding every application, after they idled (largest of the samples). */
  workerRssMiB: number;
  /** The worker's peak RSS over the whole section (creation included). */
  workerPeakRssMiB: number;
  /** `REVELA_WORKER_MEMORY` of the worker, if set, and the workflow cache it derived. */
  workerMemory: string | null;
  coldPublish: {
    runs: number;
    /** Publish round trip to an application evicted from the worker's cache. */
    measured: Summary;
    /** The same to an application the worker just touched (a status query first). */
    baseline: Summary;
    ratioP50: number;
    /** End to end (publish → `Succeeded`) of the same publishes. */
    endToEnd: { measured: Summary; baseline: Summary; ratioP50: number };
  };
}

/** Waits `ms` when asked to: a pause between measures, not a wait for a condition. */
async function quiet(ms: number | undefined): Promise<void> {
  if (ms !== undefined && ms > 0) await new Promise((r) => setTimeout(r, ms));
}

/**
 * The smallest application that still is one: one ConfigMap on the `local` cluster, checked for
 * drift once a day (an idle application costs the worker nothing between checks).
 */
export function scaleApplication(i: number, namespace: string): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: `scale-${i}`, namespace },
    spec: {
      components: [
        {
          name: 'config',
          type: 'k8s-objects',
          properties: { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { n: String(i) } }] },
        },
      ],
      policies: [{ name: 'keep', type: 'state-keep', properties: { interval: '24h' } }],
    },
  };
}

/**
 * `entityScale`: creates `applications` applications on one worker at the rate it sustains
 * (`inFlight` publishes at a time, each until `Succeeded`), lets them idle, samples the worker's
 * RSS, then publishes to `coldRuns` applications that were evicted from its cache (the oldest)
 * against as many it just touched, alternating.
 */
export async function measureEntityScale(options: {
  revela: RevelaClient;
  temporal: Client;
  worker: ProcessMeter;
  applications: number;
  /** How many of them are created by a real publish (the rest: the entity workflow alone). */
  published: number;
  coldRuns: number;
  inFlight: number;
  idleMs: number;
  namespace: string;
  workerMemory: string | null;
  log: (line: string) => void;
  /**
   * A pause before each measured publish, so that the previous one's end (its revision's result,
   * state keep woken) is over: 0 measures publishes back to back, as the goal's figures are; a
   * pause measures what an eviction costs on a quiet worker (see bench/analysis.md).
   */
  settleMs?: number;
  /** Called once `at` applications exist (the heap snapshot of the profile run). */
  onCreated?: { at: number; fn: () => Promise<void> };
}): Promise<EntityScaleResult> {
  const { revela, temporal, worker, applications, coldRuns, namespace, log } = options;
  const published = Math.min(options.published, applications);
  const publish = async (i: number, version: string) => {
    const t0 = performance.now();
    const r = await revela.publish({
      app: withPublishVersion(scaleApplication(i, namespace), version),
      publishVersion: version,
    });
    const t1 = performance.now();
    await temporal.workflow.getHandle(r.workflowId).result();
    return { roundTrip: t1 - t0, endToEnd: performance.now() - t0 };
  };

  worker.begin();
  const t0 = performance.now();
  let created = 0;
  let lastLog = t0;
  let hook = options.onCreated;
  const startEntity = async (i: number) => {
    await temporal.workflow.start<typeof application>('application', {
      workflowId: applicationWorkflowId(namespace, `scale-${i}`),
      taskQueue: DEFAULT_TASK_QUEUE,
      args: [{ namespace, name: `scale-${i}` }],
    });
  };
  const create = async (i: number) => {
    if (i < published) await publish(i, 'v1');
    else await startEntity(i);
    created++;
    if (hook && created >= hook.at) {
      const { fn } = hook;
      hook = undefined;
      await fn();
    }
    const now = performance.now();
    if (now - lastLog > 15_000 || created === applications) {
      lastLog = now;
      const rate = created / ((now - t0) / 1000);
      log(
        `entity scale: ${created}/${applications} applications (${Math.min(created, published)} published) (${rate.toFixed(1)}/s, worker RSS ${worker.rssMiB().toFixed(0)} MiB, ETA ${((applications - created) / rate).toFixed(0)} s)`,
      );
    }
  };
  // Published ones first (they become the oldest, evicted as the rest arrive), then the others.
  await pool(published, options.inFlight, create);
  await pool(applications - published, options.inFlight * 2, (k) => create(published + k));
  const createSeconds = (performance.now() - t0) / 1000;

  log(`entity scale: ${applications} applications idle for ${options.idleMs / 1000} s, sampling worker RSS`);
  const samples: number[] = [];
  const until = performance.now() + options.idleMs;
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 2000));
    samples.push(worker.rssMiB());
  }
  const idleRss = Math.max(...samples);
  log(
    `entity scale: idle worker RSS ${idleRss.toFixed(0)} MiB (samples ${samples.map((s) => s.toFixed(0)).join(' ')})`,
  );

  log(`entity scale: ${coldRuns} publishes to evicted applications, ${coldRuns} to warm ones, alternating`);
  const cold: { roundTrip: number; endToEnd: number }[] = [];
  const warm: { roundTrip: number; endToEnd: number }[] = [];
  for (let k = 0; k < coldRuns; k++) {
    const w = published - 1 - k;
    // Each publish of a pair comes after the same status query of the warm one: without it the cold
    // publish met the worker and the server still busy with the previous publish's end (the entity
    // taking the result, state keep woken), and the warm one had a query's time to let that settle.
    // On 60 applications, none evicted, that alone made "cold" publishes 1.39× the warm ones.
    await quiet(options.settleMs);
    await revela.status({ name: `scale-${w}`, namespace });
    // The oldest applications: untouched since they were created, ~3 workflows each created after.
    cold.push(await publish(k, 'v2'));
    await quiet(options.settleMs);
    await revela.status({ name: `scale-${w}`, namespace });
    warm.push(await publish(w, 'v2'));
  }
  const usage = worker.end();
  const m = summarize(cold.map((c) => c.roundTrip));
  const b = summarize(warm.map((c) => c.roundTrip));
  const me = summarize(cold.map((c) => c.endToEnd));
  const be = summarize(warm.map((c) => c.endToEnd));
  return {
    applications,
    published,
    createdPerSecond: applications / createSeconds,
    createSeconds,
    workerRssMiB: idleRss,
    workerPeakRssMiB: usage.peakRssMiB,
    workerMemory: options.workerMemory,
    coldPublish: {
      runs: coldRuns,
      measured: m,
      baseline: b,
      ratioP50: m.p50Ms / b.p50Ms,
      endToEnd: { measured: me, baseline: be, ratioP50: me.p50Ms / be.p50Ms },
    },
  };
}
