/**
 * Drift: where a live object differs from what applying the revision's object would make of it
 * (a server-side dry run, so defaults and normalisation are the server's own). Bookkeeping the
 * server writes (resourceVersion, managedFields, …) and `status` are not drift.
 *
 * Workflow-safe.
 */
import type { KubeObject } from './kube-object.js';
import { formatPath } from './object-path.js';

const VOLATILE_METADATA = new Set([
  'managedFields',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'uid',
  'selfLink',
]);

/** At most this many paths are named; a rewritten object does not need a hundred. */
const MAX_PATHS = 10;

function comparable(object: KubeObject): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = object;
  const meta = Object.fromEntries(Object.entries(metadata).filter(([k]) => !VOLATILE_METADATA.has(k)));
  return { ...rest, metadata: meta };
}

function walk(a: unknown, b: unknown, path: (string | number)[], out: string[]): void {
  if (out.length >= MAX_PATHS) return;
  if (Object.is(a, b)) return;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects =
    !Array.isArray(a) &&
    !Array.isArray(b) &&
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object';
  if (bothArrays && a.length === b.length) {
    a.forEach((item, i) => walk(item, b[i], [...path, i], out));
    return;
  }
  if (bothObjects) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort())
      walk(ao[key], bo[key], [...path, key], out);
    return;
  }
  out.push(formatPath(path));
}

/** Paths (`spec.replicas`) where `live` differs from `wanted`; empty when it does not drift. */
export function driftPaths(live: KubeObject, wanted: KubeObject): string[] {
  const out: string[] = [];
  walk(comparable(live), comparable(wanted), [], out);
  return out;
}
