/**
 * A deep copy through JSON semantics, `JSON.parse(JSON.stringify(value))`, without the round trip
 * through a string: rendering copies every object it hands out (the render cache, the targets of
 * a placement), and walking the value is about three times cheaper than printing and parsing it.
 *
 * Workflow-safe.
 */

/** Depth past which the walk gives up and lets JSON decide (a cycle, or a very deep value). */
const MAX_DEPTH = 200;

/** Thrown inside the walk only; never escapes `jsonClone`. */
class TooDeep extends Error {}

/**
 * A deep copy of `value` as JSON sees it: `undefined`, functions and symbols are dropped from
 * objects and become `null` in arrays, non-finite numbers become `null`, `-0` becomes `0`,
 * `toJSON` is honoured (Dates become strings), key order is kept. Throws where JSON does (a cycle,
 * a bigint, a value that is not JSON at all such as `undefined`), with JSON's own errors.
 */
export function jsonClone<T>(value: T): T {
  try {
    const copy = copyValue(value, '', 0);
    if (copy !== undefined) return copy as T;
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
  }
  // JSON's own answer for what the walk does not decide: its TypeError for a cycle, its
  // SyntaxError for a value with no JSON form, or the copy of a value nested deeper than MAX_DEPTH.
  return JSON.parse(JSON.stringify(value)) as T;
}

// `key` is what JSON passes to `toJSON`: the member name, or the index in an array.
function copyValue(value: unknown, key: string | number, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON prints -0 as 0 and NaN or Infinity as null.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case 'object':
      return value === null ? null : copyObject(value, key, depth);
    case 'bigint':
      // JSON.stringify's TypeError ("Do not know how to serialize a BigInt").
      return JSON.stringify(value);
    default:
      return undefined;
  }
}

function copyObject(value: object, key: string | number, depth: number): unknown {
  if (depth >= MAX_DEPTH) throw new TooDeep('deeper than the walk goes');
  const withToJson = value as { toJSON?: (key: string) => unknown };
  if (typeof withToJson.toJSON === 'function') return copyValue(withToJson.toJSON(String(key)), key, depth);
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], i, depth + 1) ?? null;
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    // Boxed primitives, class instances, Maps: rare, and JSON has rules for each.
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // for…in with an own-key test visits what Object.keys lists, in its order, without allocating
  // the array of keys (a sixth of what a render allocated went to such arrays).
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    const item = copyValue(record[k], k, depth + 1);
    if (item === undefined) continue;
    // JSON.parse makes `__proto__` an own member; an assignment would set the prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    else out[k] = item;
  }
  return out;
}
