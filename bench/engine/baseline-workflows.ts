import {
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { KubeObject } from '../../model/kube-object.js';
import type { HealthTarget } from '../../model/step-render.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../model/engine-settings.js';
import { clusterActivities, healthActivities } from '../../workflows/activities.js';
import type { baselineActivities } from './baseline-activities.js';

type Activities = ReturnType<typeof baselineActivities>;
const { noop } = proxyActivities<Activities>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s' });
// Revela's own options for cluster writes and the health wait (same retry policy).
const writes = clusterActivities(DEFAULT_ENGINE_SETTINGS) as unknown as Pick<Activities, 'applyResource'>;
const health = healthActivities(DEFAULT_ENGINE_SETTINGS) as unknown as Pick<Activities, 'checkHealth'>;

/** What one cluster of a baseline publish writes and waits for. */
export interface BaselineLane {
  cluster: string;
  objects: KubeObject[];
  targets: HealthTarget[];
}

/**
 * The least a publish of a two-cluster app could cost on Temporal: one workflow running the same
 * activities in the same shape as Revela's path — resolve (activity), render (local activity),
 * the real server-side applies on both clusters at once, the real health wait on both at once —
 * without an entity, a child workflow, reports or visibility. Revela's overhead is measured
 * against it. Without lanes (the throughput baseline before 0.3) every activity is a no-op.
 */
export async function baselinePublish(input?: { lanes: BaselineLane[]; revision: string }): Promise<void> {
  await noop('resolve');
  await local.noop('render');
  const lanes = input?.lanes ?? [];
  if (lanes.length === 0) {
    await Promise.all([noop('apply hangzhou1'), noop('apply hangzhou2')]);
    await Promise.all([noop('health hangzhou1'), noop('health hangzhou2')]);
    return;
  }
  await Promise.all(
    lanes.map(async (lane) => {
      for (const object of lane.objects)
        await writes.applyResource({ cluster: lane.cluster, object, revision: input!.revision });
    }),
  );
  await Promise.all(
    lanes.map((lane) =>
      health.checkHealth({ cluster: lane.cluster, revision: input!.revision, targets: lane.targets }),
    ),
  );
}

export const echoUpdate = defineUpdate<string, [string]>('echo');
export const echoQuery = defineQuery<string[]>('echoes');

/**
 * Baseline for update round trips and queries: an update that runs one no-op activity (as a
 * publish runs `resolveSnapshot`) and a query that returns a list.
 */
export async function baselineEntity(): Promise<void> {
  const echoes: string[] = [];
  setHandler(echoUpdate, async (value) => {
    await noop(value);
    echoes.push(value);
    if (echoes.length > 10) echoes.shift();
    return value;
  });
  setHandler(echoQuery, () => echoes);
  await condition(() => false);
}
