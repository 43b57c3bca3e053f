/**
 * Status conditions as Kubernetes writes them (`metav1.Condition`): one per type, and
 * `lastTransitionTime` moves only when the status flips — so re-writing the same status is a
 * no-op for the API server and produces no watch event.
 */

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** `next` with each condition's transition time carried over from `previous` when its status is unchanged. */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  now: string,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
}

/** Conditions from an object's status, ignoring anything malformed. */
export function conditionsOf(status: unknown): Condition[] {
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(list)
    ? (list.filter((c) => typeof (c as Condition)?.type === 'string') as Condition[])
    : [];
}
