import type { WorkflowHandle } from '@temporalio/client';
import type { StepStatus } from '../../workflows/messages.js';
import { recordHistory } from '../harness/histories.js';
import { eventually, type TestStack } from '../harness/stack.js';

export const GOOD = 'stefanprodan/podinfo:6.0.1';
export const NEWER = 'stefanprodan/podinfo:6.0.2';
/** An image whose pods never become Ready (the clusters' kwok stages keep them not ready). */
export const UNPULLABLE = 'stefanprodan/podinfo:6.0.xxx';

export function step(steps: readonly StepStatus[] | undefined, name: string): StepStatus | undefined {
  for (const s of steps ?? []) {
    if (s.name === name) return s;
    const sub = step(s.subSteps, name);
    if (sub) return sub;
  }
  return undefined;
}

/** Waits until the application's current run holds `stepName` suspended (a suspend step or an approval). */
export async function waitSuspendedAt(
  stack: TestStack,
  ref: { name: string; namespace: string },
  stepName: string,
): Promise<void> {
  await eventually(`${ref.name}: ${stepName} to suspend`, async () => {
    const s = await stack.client.status(ref);
    return step(s.run?.steps, stepName)?.phase === 'suspending' ? true : undefined;
  });
}

/** Event type names of a history, to assert that a recording took the path it stands for. */
export async function activityTypes(handle: WorkflowHandle): Promise<string[]> {
  return ((await handle.fetchHistory()).events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((n): n is string => n !== undefined);
}

/**
 * Records a closed workflow's history once it closed (recording an open one would commit a
 * history whose end a later release never sees).
 */
export async function recordClosed(handle: WorkflowHandle, name: string): Promise<void> {
  await eventually(`${handle.workflowId} to close`, async () =>
    (await handle.describe()).status.name !== 'RUNNING' ? true : undefined,
  );
  await recordHistory(handle, name);
}
