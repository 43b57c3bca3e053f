import { setFlagsFromString } from 'node:v8';
import { z } from 'zod';

/*
 * How much memory a worker may use, and the workflow cache that keeps it there. The workflow
 * cache is what grows with the number of applications: every other part of a worker (the
 * bundled workflow code, the SDK's native core, Kubernetes clients, in-flight activities) is
 * bounded by its concurrency settings. An evicted workflow costs nothing until its next task,
 * which replays its history (the entity continues as new, so that history stays short).
 */

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
};

/** A Kubernetes memory quantity (`512Mi`, `1Gi`, `1.5G`, bytes without a unit), in bytes. */
export const memoryQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(k|K|M|G|Ki|Mi|Gi)?$/, 'a memory quantity such as 512Mi, 1Gi or 2G')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(v);
    return Math.floor(Number(m?.[1]) * (UNITS[m?.[2] ?? ''] ?? 1));
  })
  .refine(
    (bytes) => bytes >= 512 * 2 ** 20,
    'at least 512Mi: a worker uses about 450 MiB before it caches anything',
  );

/**
 * What a worker uses before it caches any workflow (Node, the bundled workflow code in its
 * sandbox, the SDK core, Kubernetes clients, activity concurrency), in MiB — measured in the
 * entity-scale benchmark and rounded up.
 */
export const WORKER_BASE_MIB = 450;

/**
 * What one cached workflow adds, in MiB — measured in the entity-scale benchmark (an entity with
 * its retained snapshots, a finished revision or a sleeping state-keep workflow), with a margin
 * for garbage the V8 heap keeps between collections.
 */
export const CACHED_WORKFLOW_MIB = 0.5;

/** The workflow cache size that keeps a worker within `memoryBytes`. */
export function cachedWorkflowsFor(memoryBytes: number): number {
  const available = memoryBytes / 2 ** 20 - WORKER_BASE_MIB;
  return Math.max(2, Math.floor(available / CACHED_WORKFLOW_MIB));
}

/**
 * What one cached workflow keeps alive in the workflow thread's V8 heap, in MiB: the heap
 * snapshot of a worker holding 1,020 cached workflows had 204 MiB of live objects.
 */
export const LIVE_HEAP_PER_CACHED_WORKFLOW_MIB = 0.2;

/** Live objects of the workflow thread before it caches any workflow (the bundle, zod, schemas). */
export const WORKFLOW_BUNDLE_HEAP_MIB = 60;

/** What part of the budget the workflow thread's heap may take; the rest is Node, the SDK core, activities. */
export const WORKFLOW_HEAP_SHARE = 0.45;

/**
 * The V8 heap limit of the workflow thread for a budget, in MiB. Without one V8 sizes that heap
 * from the machine (4 GiB here) and lets it fill with the garbage a busy workflow cache makes
 * (evicted workflows, replays, module scopes) before it collects: a 1Gi worker holding 1,148
 * cached workflows, about 250 MiB of live objects, reached 2.1 GiB RSS in the entity-scale
 * benchmark; with this limit the same run idled at 903 MiB. The cache `cachedWorkflowsFor`
 * derives stays well inside it (worker-memory test), so the limit makes V8 collect sooner and
 * never has to stop the worker.
 */
export function workflowHeapMiB(memoryBytes: number): number {
  return Math.floor((memoryBytes / 2 ** 20) * WORKFLOW_HEAP_SHARE);
}

/**
 * Limits the V8 heap of isolates created from now on — the SDK's workflow thread, which
 * `Worker.create` starts — to `workflowHeapMiB(memoryBytes)`. V8 reads the flag when it creates an
 * isolate, so this must run before the worker is created; the main thread keeps its heap.
 */
export function limitWorkflowHeap(memoryBytes: number): void {
  setFlagsFromString(`--max-old-space-size=${workflowHeapMiB(memoryBytes)}`);
}
