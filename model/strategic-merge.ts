/**
 * A small strategic merge, the way trait patches change a workload: objects merge key by key;
 * lists of objects merge item by item on a merge key (`containerPort` for container ports, `port`
 * for service ports, otherwise `name`) and new items are appended; any other list is replaced;
 * `null` removes a key. Neither input is changed.
 *
 * KubeVela's CUE traits say how a field merges with comments on the patch (`// +patchKey=name`,
 * `// +patchStrategy=retainKeys|replace|jsonMergePatch`); the CUE engine reads them and passes
 * them here as {@link PatchAnnotation}s, by path in the patch:
 * - `patchKey=k` on a list merges its items by `k` (a dotted path, e.g. `metadata.name`); it also
 *   applies to the lists below it that have no key of their own, as KubeVela's does;
 * - `replace` on a list replaces the list;
 * - `retainKeys` on an object replaces it instead of merging; on a keyed list, a matched item is
 *   replaced by the patch's item instead of being merged with it;
 * - `jsonMergePatch` merges as RFC 7396 below that path (objects merge, lists are replaced, `null`
 *   removes).
 *
 * Workflow-safe.
 */

type Json = unknown;

/** A merge instruction for one path of a patch; `[]` in `path` stands for any item of a list. */
export interface PatchAnnotation {
  readonly path: readonly string[];
  readonly patchKey?: string;
  readonly patchStrategy?: string;
}

/** The list item placeholder of {@link PatchAnnotation.path}. */
export const ANY_ITEM = '[]';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = cloneJson(value[k]);
    return out as T;
  }
  return value;
}

/** Annotations by path (`spec\0template\0spec\0containers`), for lookups while walking. */
class Annotations {
  private readonly byPath = new Map<string, PatchAnnotation>();

  constructor(list: readonly PatchAnnotation[]) {
    for (const a of list) this.byPath.set(a.path.join('\0'), a);
  }

  get empty(): boolean {
    return this.byPath.size === 0;
  }

  at(path: readonly string[]): PatchAnnotation | undefined {
    return this.byPath.get(path.join('\0'));
  }

  /** The patch key of the nearest annotated path at or above `path`. */
  inheritedKey(path: readonly string[]): string | undefined {
    for (let n = path.length; n >= 0; n--) {
      const key = this.byPath.get(path.slice(0, n).join('\0'))?.patchKey;
      if (key !== undefined) return key;
    }
    return undefined;
  }
}

const NONE = new Annotations([]);

/** How one merge runs: its annotations, and how it keeps a value it does not change. */
interface Merge {
  readonly notes: Annotations;
  /** A deep copy, or the value itself when the result may share it (`share`). */
  readonly keep: <T>(value: T) => T;
}

function same<T>(value: T): T {
  return value;
}

/** The value at a dotted key (`metadata.name`) of an item, for keyed lists. */
function keyOf(item: unknown, key: string): unknown {
  let value: unknown = item;
  for (const part of key.split('.')) value = isPlainObject(value) ? value[part] : undefined;
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
  path: readonly string[],
  m: Merge,
): unknown[] {
  const here = m.notes.empty ? undefined : m.notes.at(path);
  if (here?.patchStrategy === 'replace') return m.keep([...patch]);
  // An annotated key applies when every item has it; otherwise the usual keys decide.
  const annotated = m.notes.empty ? undefined : m.notes.inheritedKey(path);
  const usable =
    annotated !== undefined && [...base, ...patch].every((item) => keyOf(item, annotated) !== undefined);
  const key = usable ? annotated : mergeKeyFor(field, base, patch);
  if (key === undefined) return m.keep([...patch]);
  const replaceMatched = usable && here?.patchStrategy === 'retainKeys';
  const itemPath = m.notes.empty ? path : [...path, ANY_ITEM];
  // Items of base the patch matches are merged from the original (merging copies); the others
  // are kept once at the end.
  const out: unknown[] = [...base];
  const changed = new Set<number>();
  for (const item of patch) {
    const index = out.findIndex((existing) => keyOf(existing, key) === keyOf(item, key));
    if (index === -1) {
      out.push(m.keep(item));
      continue;
    }
    out[index] = replaceMatched ? m.keep(item) : mergeValue(undefined, out[index], item, itemPath, m);
    changed.add(index);
  }
  for (let i = 0; i < base.length; i++) if (!changed.has(i)) out[i] = m.keep(out[i]);
  return out;
}

// Each member of `base` is copied once, merged or not: the merge of a member copies what it
// keeps itself, so copying `base` whole first would copy every patched subtree twice (once per
// level above it). Keys keep base's order, and new keys follow in the patch's order.
function mergeObject(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  path: readonly string[],
  m: Merge,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // for…in with own-key tests: Object.keys' keys in its order, without allocating them.
  for (const key in base) {
    if (!Object.hasOwn(base, key)) continue;
    const value = Object.hasOwn(patch, key) ? patch[key] : undefined;
    if (value === undefined) out[key] = m.keep(base[key]);
    else if (value !== null) out[key] = mergeValue(key, base[key], value, childPath(path, key, m), m);
  }
  for (const key in patch) {
    if (!Object.hasOwn(patch, key)) continue;
    const value = patch[key];
    if (value === undefined || value === null || Object.hasOwn(base, key)) continue;
    out[key] = mergeValue(key, undefined, value, childPath(path, key, m), m);
  }
  return out;
}

/** The path of a member, which only annotations read: without them the parent's path will do. */
function childPath(path: readonly string[], key: string, m: Merge): readonly string[] {
  return m.notes.empty ? path : [...path, key];
}

/** RFC 7396: objects merge, `null` removes, anything else (lists too) replaces. */
function jsonMergePatch(base: Json, patch: Json, m: Merge): Json {
  if (!isPlainObject(patch)) return m.keep(patch);
  const from = isPlainObject(base) ? base : {};
  // As mergeObject: base's keys in order, then the patch's new ones; a new object either way, so
  // a result that shares members with its inputs never changes them.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    const value = Object.hasOwn(patch, key) ? patch[key] : undefined;
    if (value === undefined) out[key] = m.keep(from[key]);
    else if (value !== null) out[key] = jsonMergePatch(from[key], value, m);
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined || value === null || Object.hasOwn(from, key)) continue;
    out[key] = jsonMergePatch(undefined, value, m);
  }
  return out;
}

function mergeValue(
  field: string | undefined,
  base: Json,
  patch: Json,
  path: readonly string[],
  m: Merge,
): Json {
  const strategy = m.notes.empty ? undefined : m.notes.at(path)?.patchStrategy;
  if (strategy === 'jsonMergePatch') return jsonMergePatch(base, patch, m);
  if (isPlainObject(base) && isPlainObject(patch)) {
    return strategy === 'retainKeys' ? m.keep(patch) : mergeObject(base, patch, path, m);
  }
  if (Array.isArray(base) && Array.isArray(patch)) return mergeList(field, base, patch, path, m);
  return m.keep(patch);
}

export interface StrategicMergeOptions {
  /**
   * Let the result share the members it does not change with `base` and `patch` instead of
   * copying them. Neither input is changed either way; a caller that owns both inputs and drops
   * them once merged (a render) saves a deep copy of the workload per patch.
   * @default false
   */
  readonly share?: boolean;
}

/**
 * Applies `patch` to `base` as a strategic merge and returns the result; `annotations` (paths
 * relative to the patch) change how the annotated fields merge.
 */
export function strategicMerge<T>(
  base: T,
  patch: unknown,
  annotations: readonly PatchAnnotation[] = [],
  options: StrategicMergeOptions = {},
): T {
  const keep = options.share === true ? same : cloneJson;
  if (patch === undefined) return keep(base);
  const notes = annotations.length === 0 ? NONE : new Annotations(annotations);
  return mergeValue(undefined, base, patch, [], { notes, keep }) as T;
}
