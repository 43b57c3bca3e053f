import { deepEqual, isPlainObject, type JsonObject } from './json.js';

/**
 * Field sets in the shape server-side apply records them (`managedFields[].fieldsV1`): a path is a
 * list of segments, `f:<field>` for a map key and `k:<json>` for an item of an associative list
 * (containers by name, ports by port and protocol). Paths are kept as JSON strings in a Set.
 */

export type FieldSet = Set<string>;

/**
 * Fields that belong to the server, never to a manager: identity, bookkeeping and status (which
 * the main resource ignores on write).
 */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/**
 * Which lists merge item by item, and by which keys. Kubernetes declares this per field in its
 * OpenAPI (`x-kubernetes-list-map-keys`); these rules cover the built-in kinds Revela renders.
 */
export function listMapKeys(field: string, items: readonly unknown[]): readonly string[] | undefined {
  if (items.length === 0 || !items.every(isPlainObject)) return undefined;
  const all = (key: string) => items.every((item) => item[key] !== undefined);
  if (field === 'ports' && all('containerPort')) return ['containerPort', 'protocol'];
  if (field === 'ports' && all('port')) return ['port', 'protocol'];
  if (field === 'volumeMounts' && all('mountPath')) return ['mountPath'];
  if (items.every((item) => typeof item.name === 'string')) return ['name'];
  return undefined;
}

function keyValue(item: JsonObject, key: string): unknown {
  // Kubernetes defaults `protocol` to TCP before keying, so an item without it matches one with TCP.
  return item[key] ?? (key === 'protocol' ? 'TCP' : undefined);
}

export function itemKey(item: JsonObject, keys: readonly string[]): string {
  const key: JsonObject = {};
  for (const k of keys) {
    const v = keyValue(item, k);
    if (v !== undefined) key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

function itemMatches(item: unknown, keySegment: string): boolean {
  if (!isPlainObject(item)) return false;
  const key = JSON.parse(keySegment.slice(2)) as JsonObject;
  return Object.entries(key).every(([k, v]) => deepEqual(keyValue(item, k), v));
}

function collect(value: JsonObject, prefix: readonly string[], out: FieldSet): void {
  for (const [field, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const path = [...prefix, `f:${field}`];
    if (isPlainObject(child) && Object.keys(child).length > 0) {
      collect(child, path, out);
      continue;
    }
    const keys = Array.isArray(child) ? listMapKeys(field, child) : undefined;
    if (Array.isArray(child) && keys) {
      for (const item of child as JsonObject[]) {
        const itemPath = [...path, itemKey(item, keys)];
        out.add(JSON.stringify(itemPath));
        collect(item, itemPath, out);
      }
      continue;
    }
    out.add(JSON.stringify(path));
  }
}

/** Every field an object sets, as server-side apply would record it for the manager that sent it. */
export function fieldSetOf(object: JsonObject): FieldSet {
  const out: FieldSet = new Set();
  const { metadata, apiVersion: _a, kind: _k, status: _s, ...rest } = object;
  if (isPlainObject(metadata)) {
    const owned: JsonObject = {};
    for (const [k, v] of Object.entries(metadata)) if (!SERVER_METADATA.has(k)) owned[k] = v;
    if (Object.keys(owned).length > 0) collect({ metadata: owned }, [], out);
  }
  collect(rest, [], out);
  return out;
}

export function isItemPath(path: readonly string[]): boolean {
  return path[path.length - 1]?.startsWith('k:') ?? false;
}

export function valueAt(object: unknown, path: readonly string[]): { found: boolean; value?: unknown } {
  let current: unknown = object;
  for (const segment of path) {
    if (segment.startsWith('f:')) {
      if (!isPlainObject(current) || !(segment.slice(2) in current)) return { found: false };
      current = current[segment.slice(2)];
    } else {
      if (!Array.isArray(current)) return { found: false };
      const item: unknown = (current as unknown[]).find((i) => itemMatches(i, segment));
      if (item === undefined) return { found: false };
      current = item;
    }
  }
  return { found: true, value: current };
}

export function removeAt(object: JsonObject, path: readonly string[]): void {
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent.found || last === undefined) return;
  if (last.startsWith('f:') && isPlainObject(parent.value)) {
    delete parent.value[last.slice(2)];
  } else if (Array.isArray(parent.value)) {
    const index = parent.value.findIndex((i) => itemMatches(i, last));
    if (index >= 0) parent.value.splice(index, 1);
  }
}

/** `.spec.template.spec.containers[name="podinfo"].image`, the form apply conflicts are reported in. */
export function formatPath(path: readonly string[]): string {
  return path
    .map((segment) => {
      if (segment.startsWith('f:')) return `.${segment.slice(2)}`;
      const key = JSON.parse(segment.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** Field set → the nested `fieldsV1` document Kubernetes stores in `managedFields`. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const paths = [...set].map((p) => JSON.parse(p) as string[]).sort((a, b) => a.length - b.length);
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const next = node[segment];
      if (isPlainObject(next)) {
        node = next;
      } else {
        const created: JsonObject = {};
        node[segment] = created;
        node = created;
      }
    }
  }
  // A path that is owned itself and also has owned children is marked with ".", as upstream does.
  for (const path of paths) {
    const node = path.reduce<JsonObject>((n, s) => n[s] as JsonObject, root);
    if (Object.keys(node).some((k) => k !== '.')) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(tree: unknown): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: unknown, prefix: string[]): void => {
    if (!isPlainObject(node)) return;
    for (const [segment, child] of Object.entries(node)) {
      if (segment === '.') continue;
      const path = [...prefix, segment];
      const children = isPlainObject(child) ? Object.keys(child) : [];
      if (children.length === 0 || children.includes('.')) out.add(JSON.stringify(path));
      walk(child, path);
    }
  };
  walk(tree, []);
  return out;
}

/**
 * Merges an applied configuration into the live object: maps merge key by key, associative lists
 * merge item by item, everything else (scalars, atomic lists) is replaced.
 */
export function mergeApplied(live: unknown, applied: unknown, field = ''): unknown {
  if (isPlainObject(live) && isPlainObject(applied)) {
    const result: JsonObject = { ...live };
    for (const [k, v] of Object.entries(applied)) {
      if (v === undefined) continue;
      result[k] = mergeApplied(live[k], v, k);
    }
    return result;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const keys = listMapKeys(field, applied);
    const liveKeys = listMapKeys(field, live);
    if (keys && liveKeys && keys.join() === liveKeys.join()) {
      const result = (live as JsonObject[]).map((item) => {
        const match = (applied as JsonObject[]).find((a) => itemKey(a, keys) === itemKey(item, keys));
        return match ? (mergeApplied(item, match, '') as JsonObject) : item;
      });
      for (const item of applied as JsonObject[]) {
        if (!live.some((l) => isPlainObject(l) && itemKey(l, keys) === itemKey(item, keys)))
          result.push(item);
      }
      return result;
    }
  }
  return applied;
}
