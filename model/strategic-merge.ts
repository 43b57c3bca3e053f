/**
 * A small strategic merge, the way trait patches change a workload: objects merge key by key;
 * lists of objects merge item by item on a merge key (`containerPort` for container ports, `port`
 * for service ports, otherwise `name`) and new items are appended; any other list is replaced;
 * `null` removes a key. Neither input is changed.
 *
 * Workflow-safe.
 */

type Json = unknown;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneJson(v);
    return out as T;
  }
  return value;
}

/** The key that identifies items of the list under `field`, or undefined to replace the list. */
function mergeKeyFor(
  field: string | undefined,
  base: readonly unknown[],
  patch: readonly unknown[],
): string | undefined {
  const items = [...base, ...patch];
  if (items.length === 0 || !items.every(isPlainObject)) return undefined;
  const all = (key: string): boolean => items.every((item) => item[key] !== undefined);
  if (field === 'ports') {
    if (all('containerPort')) return 'containerPort';
    if (all('port')) return 'port';
  }
  if (all('name')) return 'name';
  return undefined;
}

function mergeList(
  field: string | undefined,
  base: readonly unknown[],
  patch: readonly unknown[],
): unknown[] {
  const key = mergeKeyFor(field, base, patch);
  if (key === undefined) return cloneJson([...patch]);
  const out = base.map(cloneJson) as Record<string, unknown>[];
  for (const item of patch as Record<string, unknown>[]) {
    const index = out.findIndex((existing) => existing[key] === item[key]);
    if (index === -1) out.push(cloneJson(item));
    else out[index] = mergeObject(out[index] ?? {}, item);
  }
  return out;
}

function mergeObject(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = cloneJson(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    out[key] = mergeValue(key, out[key], value);
  }
  return out;
}

function mergeValue(field: string | undefined, base: Json, patch: Json): Json {
  if (isPlainObject(base) && isPlainObject(patch)) return mergeObject(base, patch);
  if (Array.isArray(base) && Array.isArray(patch)) return mergeList(field, base, patch);
  return cloneJson(patch);
}

/** Applies `patch` to `base` as a strategic merge and returns the result. */
export function strategicMerge<T>(base: T, patch: unknown): T {
  if (patch === undefined) return cloneJson(base);
  return mergeValue(undefined, base, patch) as T;
}
