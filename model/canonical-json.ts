/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as `Array.prototype.sort`), no
 * whitespace, `undefined` members omitted. Two values that are equal as JSON serialize to the same
 * string whatever their key order, which is what makes snapshot hashes stable across processes,
 * versions and YAML formatting.
 *
 * Workflow-safe (no hashing here; see `hash.ts`).
 */

/** Serializes `value` canonically. Throws on values JSON cannot represent (bigint, cycles). */
export function canonicalJson(value: unknown): string {
  const out = serialize(value, new Set());
  return out ?? 'null';
}

function serialize(value: unknown, seen: Set<object>): string | undefined {
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
  if (typeof obj.toJSON === 'function') return serialize(obj.toJSON(), seen);
  if (seen.has(obj)) throw new TypeError('canonicalJson: the value contains a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item: unknown) => serialize(item, seen) ?? 'null').join(',')}]`;
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = serialize(record[key], seen);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

/**
 * A deep JSON copy with object keys sorted recursively and `undefined` members dropped (what
 * `JSON.parse(canonicalJson(value))` gives, without the round trip through a string).
 */
export function sortKeysDeep<T>(value: T): T {
  return sortValue(value, new Set()) as T;
}

function sortValue(value: unknown, seen: Set<object>): unknown {
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
      break;
    default:
      return undefined;
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return sortValue(obj.toJSON(), seen);
  if (seen.has(obj)) throw new TypeError('sortKeysDeep: the value contains a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item: unknown) => sortValue(item, seen) ?? null);
    const record = obj as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      const item = sortValue(record[key], seen);
      if (item !== undefined) out[key] = item;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
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
