/**
 * The value semantics of JSONata that the compiled fast path (`jsonata-compile.ts`) shares with
 * the `jsonata` package: sequences (arrays flagged `sequence`, unwrapped to their single item),
 * constructed arrays (`cons`, never flattened), effective boolean values, deep equality, name
 * lookup over arrays, `$append`, and the final conversion to plain JSON.
 *
 * Sequences are flagged exactly as the `jsonata` package flags them (a `sequence` property on
 * the array) so that every rule that asks "is this a sequence?" answers the same way in both
 * engines.
 *
 * Not workflow-safe only because its callers are not; the code itself is pure.
 */

/**
 * Thrown by the fast path when it meets a case it does not reproduce exactly (a function in the
 * output, a `__proto__` key, a recursion deeper than the bound, …). The caller re-runs the
 * expression through the `jsonata` package, whose result or error is then the answer.
 */
export class FastPathBailout extends Error {
  constructor(readonly reason: string) {
    super(`JSONata fast path cannot evaluate this: ${reason}`);
    this.name = 'FastPathBailout';
  }
}

/** An array carrying the flags the `jsonata` evaluator puts on its arrays. */
export interface FlaggedArray extends Array<unknown> {
  sequence?: boolean;
  keepSingleton?: boolean;
  cons?: boolean;
  outerWrapper?: boolean;
  tupleStream?: boolean;
}

/** A new sequence, optionally holding one value (which may be `undefined`, as in JSONata). */
export function createSequence(...first: unknown[]): FlaggedArray {
  const seq: FlaggedArray = first.length === 1 ? [first[0]] : [];
  seq.sequence = true;
  return seq;
}

export function isSequence(value: unknown): value is FlaggedArray {
  return Array.isArray(value) && (value as FlaggedArray).sequence === true;
}

/** What JSONata calls a function: a compiled or native function, or data that claims to be one. */
export function isFunction(value: unknown): boolean {
  if (typeof value === 'function' || value instanceof JsonataFunction) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return v._jsonata_function === true || v._jsonata_lambda === true;
}

/** The context argument of a call that has none to offer (a tail call; see `JsonataFunction`). */
export const NO_CONTEXT: unique symbol = Symbol('no context');

/** A function value of the fast path: a lambda, a built-in, or a JavaScript binding. */
export class JsonataFunction {
  constructor(
    /** How many arguments higher-order functions pass it (JSONata's `getFunctionArity`). */
    readonly arity: number,
    /**
     * Calls the function. `context` is the value a missing argument may default to (a built-in's
     * `-` signature flag); {@link NO_CONTEXT} when the caller has none to offer, which makes
     * such a default bail out rather than guess.
     */
    readonly call: (args: unknown[], context: unknown) => unknown,
  ) {}
}

/** JSONata's `isNumeric`: numbers that are not NaN; infinities are an error (D1001). */
export function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) throw new FastPathBailout('infinite number');
  return true;
}

export function isArrayOfNumbers(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => isNumeric(item));
}

export function isArrayOfStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** JSONata's effective boolean value (`$boolean`); `undefined` stays `undefined`. */
export function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return toBoolean(value[0]);
    return value.length > 1 && value.some((item) => toBoolean(item));
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (typeof value === 'object' && value !== null && !isFunction(value)) return Object.keys(value).length > 0;
  return value === true;
}

/** JSONata's `=`: deep equality of JSON values. Functions bail: JSONata compares wrappers. */
export function deepEqual(lhs: unknown, rhs: unknown): boolean {
  if (isFunction(lhs) || isFunction(rhs)) throw new FastPathBailout('function compared');
  if (lhs === rhs) return true;
  if (typeof lhs !== 'object' || typeof rhs !== 'object' || lhs === null || rhs === null) return false;
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    return lhs.length === rhs.length && lhs.every((item, i) => deepEqual(item, rhs[i]));
  }
  // An array and an object compare by own property names, as in JSONata (index keys, `length`).
  const lkeys = Object.getOwnPropertyNames(lhs).sort();
  const rkeys = Object.getOwnPropertyNames(rhs).sort();
  if (lkeys.length !== rkeys.length || lkeys.some((key, i) => key !== rkeys[i])) return false;
  return lkeys.every((key) =>
    deepEqual((lhs as Record<string, unknown>)[key], (rhs as Record<string, unknown>)[key]),
  );
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** A field of `input`, mapped over arrays and flattened one level (JSONata's `$lookup`). */
export function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (const item of input) {
      const value = lookup(item, key);
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) result.push(v);
      else result.push(value);
    }
    return result;
  }
  if (typeof input === 'object' && input !== null && hasOwn(input, key) && !isFunction(input)) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

/** JSONata's `$append`: undefined is skipped, non-arrays become one item; the result is a plain array. */
export function append(first: unknown, second: unknown): unknown {
  if (first === undefined) return second;
  if (second === undefined) return first;
  const head = Array.isArray(first) ? first : createSequence(first);
  return head.concat(Array.isArray(second) ? second : [second]);
}

/**
 * What `evaluate` does to every node's result: an empty sequence is nothing, a sequence of one
 * is its item unless something asked to keep it (`[]`).
 */
export function finish(value: unknown, keepArray: boolean): unknown {
  if (!isSequence(value) || value.tupleStream) return value;
  if (keepArray) value.keepSingleton = true;
  if (value.length === 0) return undefined;
  if (value.length === 1) return value.keepSingleton ? value : value[0];
  return value;
}

/** Sets a key on an object the fast path builds; `__proto__` would not be an own key here. */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') throw new FastPathBailout('__proto__ key');
  target[key] = value;
}

/**
 * The plain JSON of a result, as `JSON.parse(JSON.stringify(value))` gives it, always a fresh
 * copy (callers mutate rendered objects; inputs must not change). Functions bail: JSONata's
 * output of a function is its internal object (or a circular-structure error).
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (value === undefined) return undefined;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return plainObjectJson(value as Record<string, unknown>);
  }
  if (isFunction(value)) throw new FastPathBailout('function in the result');
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = toPlainJson(value[i]);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  if (typeof value === 'object') return otherObjectJson(value as Record<string, unknown>);
  // Symbols and bigints: JSON drops or rejects them; leave the verdict to the jsonata path.
  throw new FastPathBailout(`${typeof value} in the result`);
}

/**
 * `toPlainJson` of an object whose prototype is `Object.prototype` (nearly every one a template
 * makes or reads): the members `isFunction` and the `toJSON` test look up along the prototype
 * chain can then only be its own (nothing here gives `Object.prototype` such members), so they
 * are noticed while the members are copied, and an object that has one takes the general path.
 * The lookups, which missed on every object, were a third of the conversion.
 */
function plainObjectJson(value: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = {};
  // for…in with an own-key test: Object.keys' keys in its order, without allocating them.
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    if (key === 'toJSON' || key === '_jsonata_function' || key === '_jsonata_lambda') {
      return generalObjectJson(value);
    }
    const item = toPlainJson(value[key]);
    if (item === undefined) continue;
    if (key === '__proto__') throw new FastPathBailout('__proto__ key');
    out[key] = item;
  }
  return out;
}

function generalObjectJson(value: Record<string, unknown>): unknown {
  if (isFunction(value)) throw new FastPathBailout('function in the result');
  return otherObjectJson(value);
}

/** `toPlainJson` of an object that is no function: its `toJSON`'s JSON, or its members'. */
function otherObjectJson(value: Record<string, unknown>): unknown {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(value)) as unknown;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    const item = toPlainJson(value[key]);
    if (item === undefined) continue;
    if (key === '__proto__') throw new FastPathBailout('__proto__ key');
    out[key] = item;
  }
  return out;
}
