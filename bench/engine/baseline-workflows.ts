import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { baselineActivities } from './baseline-activities.js';

const { noop } = proxyActivities<typeof baselineActivities>({ startToCloseTimeout: '30s' });

/**
 * The least a publish of a two-cluster app could cost on Temporal: the same number of
 * activities in the same shape as Revela's path (resolve; render; apply on two clusters at once;
 * health on two clusters at once), each doing nothing. Revela's overhead is measured against it.
 */
export async function baselinePublish(): Promise<void> {
  await noop('resolve');
  await noop('render');
  await Promise.all([noop('apply hangzhou1'), noop('apply hangzhou2')]);
  await Promise.all([noop('health hangzhou1'), noop('health hangzhou2')]);
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
