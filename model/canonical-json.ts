/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as `Array.prototype.sort`), no
 * whitespace, `undefined` members omitted. Two values that are equal as JSON serialize to the same
 * string whatever their key order, which is what makes snapshot hashes stable across processes,
 * versions and YAML formatting.
 *
 * Workflow-safe (no hashing here; see `hash.ts`).
 */

// Both walks below first run without cycle detection, only counting depth: keeping a set of the
// objects on the path costs a quarter of the walk, and values here come from JSON or YAML, which
// cannot hold a cycle. Past MAX_FAST_DEPTH (a cycle, or a very deep value) they start over with
// the set, which gives the same result or the cycle error.
const MAX_FAST_DEPTH = 200;

/** Thrown by a walk without cycle detection past MAX_FAST_DEPTH; never escapes this module. */
class TooDeep extends Error {}

/** Runs `walk` without cycle detection, and again with it when the value is too deep for that. */
function guarded<R>(walk: (seen: Set<object> | undefined) => R): R {
  try {
    return walk(undefined);
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
  }
  return walk(new Set());
}

/** Enters an object: counts depth (fast walk) or checks for a cycle (guarded walk). */
function enter(obj: object, seen: Set<object> | undefined, depth: number, what: string): void {
  if (seen === undefined) {
    if (depth >= MAX_FAST_DEPTH) throw new TooDeep(what);
    return;
  }
  if (seen.has(obj)) throw new TypeError(`${what}: the value contains a cycle`);
  seen.add(obj);
}

/** Serializes `value` canonically. Throws on values JSON cannot represent (bigint, cycles). */
export function canonicalJson(value: unknown): string {
  const out = guarded((seen) => serialize(value, seen, 0));
  return out ?? 'null';
}

function serialize(value: unknown, seen: Set<object> | undefined, depth: number): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('canonicalJson: bigint values are not JSON');
    default:
      break;
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return serialize(obj.toJSON(), seen, depth);
  enter(obj, seen, depth, 'canonicalJson');
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item: unknown) => serialize(item, seen, depth + 1) ?? 'null').join(',')}]`;
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = serialize(record[key], seen, depth + 1);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen?.delete(obj);
  }
}

/**
 * A deep JSON copy with object keys sorted recursively and `undefined` members dropped (what
 * `JSON.parse(canonicalJson(value))` gives, without the round trip through a string).
 */
export function sortKeysDeep<T>(value: T): T {
  return guarded((seen) => sortValue(value, seen, 0)) as T;
}

/** What `jsonScalar` answers for an object (or array): the caller walks it. */
const OBJECT = Symbol('object');

/**
 * The JSON form of a value that is not an object: itself, `null` for null and non-finite
 * numbers, `undefined` for what JSON drops (functions, symbols, undefined); `OBJECT` otherwise.
 */
function jsonScalar(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      throw new TypeError('sortKeysDeep: bigint values are not JSON');
    case 'object':
      return OBJECT;
    default:
      return undefined;
  }
}

function sortValue(value: unknown, seen: Set<object> | undefined, depth: number): unknown {
  const scalar = jsonScalar(value);
  if (scalar !== OBJECT) return scalar;
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return sortValue(obj.toJSON(), seen, depth);
  enter(obj, seen, depth, 'sortKeysDeep');
  try {
    if (Array.isArray(obj)) return obj.map((item: unknown) => sortValue(item, seen, depth + 1) ?? null);
    const record = obj as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of sortStrings(Object.keys(record))) {
      const item = sortValue(record[key], seen, depth + 1);
      if (item !== undefined) out[key] = item;
    }
    return out;
  } finally {
    seen?.delete(obj);
  }
}

/**
 * Sorts `keys` in place as `Array.prototype.sort()` does (UTF-16 code units; object keys are
 * distinct, so stability does not matter). Most objects have a handful of keys, and for those an
 * insertion sort allocates nothing where the built-in sort allocates its work arrays: in a render
 * that was a sixth of all the memory allocated.
 */
function sortStrings(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * `sortKeysDeep` of a value the caller owns and gives up: the same JSON with keys in the same
 * order, but built from the value itself. Arrays, and objects whose keys are already in order,
 * are kept and changed in place (a member replaced by its sorted form); only objects whose keys
 * are out of order (or that lose a member, or are not plain) become new objects, which take the
 * members over. For trees nothing else holds, such as a render's objects: copying them whole was
 * a render's largest single cost. Unlike `sortKeysDeep`, a member found at two places stays one
 * object, and arrays keep any own non-index properties.
 */
export function sortKeysOwned<T>(value: T): T {
  try {
    return ownedValue(value, 0) as T;
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
  }
  // A cycle or a very deep value: what the walk changed so far is already canonical, and
  // `sortKeysDeep` gives the copy or the cycle error.
  return sortKeysDeep(value);
}

function ownedValue(value: unknown, depth: number): unknown {
  const scalar = jsonScalar(value);
  if (scalar !== OBJECT) return scalar;
  const obj = value as { toJSON?: () => unknown };
  // What toJSON returns is not the caller's to give up.
  if (typeof obj.toJSON === 'function') return sortKeysDeep(obj.toJSON());
  if (depth >= MAX_FAST_DEPTH) throw new TooDeep('sortKeysOwned');
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      const sorted = ownedValue(item, depth + 1) ?? null;
      if (sorted !== item) obj[i] = sorted;
    }
    return obj;
  }
  const record = obj as Record<string, unknown>;
  // `sortKeysDeep` assigns every member to a new plain object: a `__proto__` member (an own key
  // only JSON.parse makes) or another prototype comes out as that assignment makes it.
  let keep = Object.getPrototypeOf(record) === Object.prototype;
  let previous: string | undefined;
  // for…in with an own-key test visits Object.keys' keys in its order without allocating them;
  // the keys are only listed (and sorted) for an object that is rebuilt.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (previous !== undefined && previous > key) keep = false;
    previous = key;
    const member = record[key];
    const sorted = ownedValue(member, depth + 1);
    if (sorted === undefined) {
      keep = false;
      delete record[key];
    } else if (sorted !== member) record[key] = sorted;
    if (key === '__proto__') keep = false;
  }
  if (keep) return record;
  const out: Record<string, unknown> = {};
  for (const key of sortStrings(Object.keys(record))) out[key] = record[key];
  return out;
}

/** UTF-8 length of a string, the unit snapshot sizes are given in. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
