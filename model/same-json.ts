/**
 * Whether two values print as the same JSON, decided without printing them: the render cache
 * keys a component by its JSON, and placement gives every target its own copy of the same
 * components, so all but the first target would print the very text the first one printed.
 *
 * Pure.
 */

/** Nesting past which the walk answers "not known to be the same" (the caller then prints). */
const MAX_DEPTH = 100;

/**
 * True only when `JSON.stringify(a) === JSON.stringify(b)` is certain: the same plain JSON
 * (strings, finite numbers, booleans, null, arrays and plain objects with keys in the same
 * order). Anything else (`undefined` members, `toJSON`, class instances, NaN)
 * answers false, which only costs the caller a print.
 */
export function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return typeof a !== 'object' ? isPlainScalar(a) : a === null || walk(a, a, depth);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return walk(a, b, depth);
}

function isPlainScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // -0 prints as 0, so the two compare alike; NaN and infinities print as null.
      return Number.isFinite(value);
    default:
      return false;
  }
}

function walk(a: object, b: object, depth: number): boolean {
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype)
    return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // Keys in the same order: JSON prints them in Object.keys order.
  const keysB = Object.keys(rb);
  let i = 0;
  for (const key in ra) {
    if (!Object.hasOwn(ra, key)) continue;
    if (keysB[i++] !== key || key === 'toJSON') return false;
    if (!sameJson(ra[key], rb[key], depth + 1)) return false;
  }
  return i === keysB.length;
}
