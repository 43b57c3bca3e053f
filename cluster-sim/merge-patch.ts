import { itemKey, listMapKeys } from './field-paths.js';
import { isPlainObject, type JsonObject } from './json.js';

/** RFC 7386 JSON merge patch: maps merge, `null` deletes, everything else replaces. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
}

/**
 * The subset of strategic merge patch kubectl sends for built-in kinds (`rollout restart`, `edit`,
 * `annotate`): like a merge patch, but lists of keyed items (containers, ports, env) merge item by
 * item, `$patch: delete` removes an item, `$patch: replace` replaces, other `$` directives are
 * ordering hints that a JSON store can ignore.
 */
export function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const keys = listMapKeys(
      field,
      patch.filter((p) => !(isPlainObject(p) && p.$patch === 'delete' && Object.keys(p).length === 1)),
    );
    if (!keys || !Array.isArray(target))
      return patch.filter((p) => !(isPlainObject(p) && p.$patch !== undefined));
    const result = [...(target as JsonObject[])];
    for (const item of patch as JsonObject[]) {
      const index = result.findIndex((t) => isPlainObject(t) && itemKey(t, keys) === itemKey(item, keys));
      if (item.$patch === 'delete') {
        if (index >= 0) result.splice(index, 1);
      } else if (index >= 0) {
        result[index] = strategicMergePatch(result[index], item) as JsonObject;
      } else {
        result.push(strategicMergePatch(undefined, item) as JsonObject);
      }
    }
    return result;
  }
  if (!isPlainObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else result[key] = strategicMergePatch(result[key], value, key);
  }
  return result;
}
