/**
 * Field paths as apply-once rules write them (`spec.replicas`,
 * `spec.template.spec.containers[0].resources`, `metadata.annotations["a.b/c"]`), and copying a
 * field from the live object into the object about to be applied.
 *
 * Workflow-safe.
 */

/** `a.b[0]["c.d"]` → `['a', 'b', 0, 'c.d']`; undefined when the text is not a path. */
export function parseFieldPath(text: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || (m.index === 0 && text.startsWith('.'))) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3] ?? ''}"`) as string);
    at = re.lastIndex;
  }
  return out.length > 0 ? out : undefined;
}

type Json = unknown;

function child(value: Json, key: string | number): Json {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, Json>)[key]
    : undefined;
}

/** The value at a path, or undefined. */
export function getAt(value: Json, path: readonly (string | number)[]): Json {
  let cur = value;
  for (const key of path) {
    cur = child(cur, key);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * Makes `target` hold what `source` holds at `path`: the same value, or no value when the source
 * has none. Intermediate objects are created as needed; a list index beyond the target's list is
 * left alone (there is nothing of the target's to replace).
 */
export function copyAt(target: Record<string, Json>, source: Json, path: readonly (string | number)[]): void {
  const value = getAt(source, path);
  let cur: Json = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    let next = child(cur, key);
    if (next === undefined || next === null || typeof next !== 'object') {
      if (value === undefined) return;
      if (typeof key === 'number') return;
      next = typeof path[i + 1] === 'number' ? [] : {};
      (cur as Record<string, Json>)[key] = next;
    }
    cur = next;
  }
  const last = path[path.length - 1] as string | number;
  if (typeof last === 'number') {
    if (Array.isArray(cur) && last < cur.length && value !== undefined) cur[last] = structuredClone(value);
    return;
  }
  const obj = cur as Record<string, Json>;
  if (value === undefined) delete obj[last];
  else obj[last] = structuredClone(value);
}
