/**
 * Write fences (docs/fencing.md). Every revision run and rollback of an application gets a fence
 * number from the entity, strictly increasing across the application's life; every object it
 * writes carries the number in an annotation. A writer refuses to write over an object that
 * carries a larger fence: a later run or a rollback has written it, so this writer was stopped
 * and its write is late. The check and the write are one step on the apiserver because the write
 * is pinned to the resourceVersion the check read (a changed object is read and checked again).
 *
 * Workflow-safe.
 */
import type { KubeObject } from './kube-object.js';

/** The fence of the run that last wrote the object. */
export const ANNOTATION_FENCE = 'app.oam.dev/fence';

/** The fence an object carries; 0 for objects written before fencing (anyone may write them). */
export function fenceOf(object: Pick<KubeObject, 'metadata'> | undefined): number {
  const value = object?.metadata.annotations?.[ANNOTATION_FENCE];
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** `object` stamped with the writer's fence. */
export function withFence(object: KubeObject, fence: number): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...(object.metadata.annotations ?? {}), [ANNOTATION_FENCE]: String(fence) },
    },
  };
}

/**
 * Why `writer` must not write over `live`, or undefined when it may: only a larger fence refuses
 * (an equal one is the same run retrying).
 */
export function fenceRefusal(
  live: Pick<KubeObject, 'metadata' | 'kind'> | undefined,
  writer: { fence: number; revision: string },
): string | undefined {
  const held = fenceOf(live);
  if (!live || held <= writer.fence) return undefined;
  const by = live.metadata.labels?.['app.oam.dev/revision'];
  return (
    `${live.kind}/${live.metadata.name} was written by a later run (fence ${held}${by ? `, ${by}` : ''}) ` +
    `than ${writer.revision} (fence ${writer.fence}): ${writer.revision} was superseded, so its late write is refused`
  );
}
