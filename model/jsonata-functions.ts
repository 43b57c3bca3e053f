/**
 * The JSONata built-in functions the compiled fast path runs itself, each with the signature the
 * `jsonata` package gives it and the same result shape (sequence or plain array), since later
 * steps unwrap and flatten by that shape. A name missing here makes the expression fall back to
 * `jsonata` (see `jsonata-compile.ts`).
 *
 * Pure.
 */
import {
  FastPathBailout,
  JsonataFunction,
  append,
  createSequence,
  deepEqual,
  isArrayOfNumbers,
  isArrayOfStrings,
  isFunction,
  isNumeric,
  isSequence,
  lookup,
  setKey,
  toBoolean,
  type FlaggedArray,
} from './jsonata-sequence.js';
import { parseSignature } from './jsonata-signature.js';

type Fn = JsonataFunction;

/** Calls a function argument of a higher-order built-in (no context value: JSONata passes null). */
function invoke(fn: unknown, args: unknown[]): unknown {
  if (!(fn instanceof JsonataFunction)) throw new FastPathBailout('not a callable function');
  return fn.call(args, null);
}

/** The arguments higher-order functions pass: value, then index/key and the whole if wanted. */
function hofArgs(fn: Fn, value: unknown, key: unknown, whole: unknown): unknown[] {
  if (fn.arity >= 3) return [value, key, whole];
  if (fn.arity >= 2) return [value, key];
  return [value];
}

const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value) : [];

/** JSONata's `$string`: JSON with 15 significant digits for fractions, functions as "". */
export function jsonataString(value: unknown, prettify = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isFunction(value)) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FastPathBailout('infinite number');
    return JSON.stringify(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v !== undefined && v !== null && isNumeric(v)) {
        return Number.isInteger(v) ? v : Number(v.toPrecision(15));
      }
      return v !== undefined && v !== null && isFunction(v) ? '' : v;
    },
    prettify ? 2 : 0,
  );
}

function keys(value: unknown): FlaggedArray {
  const result = createSequence();
  if (Array.isArray(value)) {
    const merged: Record<string, true> = {};
    for (const item of value) for (const key of keys(item)) merged[key as string] = true;
    for (const key of Object.keys(merged)) result.push(key);
  } else if (typeof value === 'object' && value !== null && !isFunction(value)) {
    for (const key of Object.keys(value)) result.push(key);
  }
  return result;
}

/** JSONata's `$sort`: a merge sort that swaps when the comparator's result is JS-truthy. */
function sort(list: unknown[] | undefined, comparator: unknown): unknown {
  if (list === undefined) return undefined;
  if (list.length <= 1) return list;
  let greater: (a: unknown, b: unknown) => boolean;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(list) && !isArrayOfStrings(list)) throw new FastPathBailout('unsortable list');
    greater = (a, b) => (a as number) > (b as number);
  } else greater = (a, b) => Boolean(invoke(comparator, [a, b]));
  const mergeSorted = (left: unknown[], right: unknown[]): unknown[] => {
    const merged: unknown[] = [];
    let l = 0;
    let r = 0;
    while (l < left.length && r < right.length) {
      if (greater(left[l], right[r])) merged.push(right[r++]);
      else merged.push(left[l++]);
    }
    while (l < left.length) merged.push(left[l++]);
    while (r < right.length) merged.push(right[r++]);
    return merged;
  };
  const msort = (items: unknown[]): unknown[] => {
    if (items.length <= 1) return items;
    const middle = Math.floor(items.length / 2);
    return mergeSorted(msort(items.slice(0, middle)), msort(items.slice(middle)));
  };
  return msort(list);
}

function reduce(list: unknown[] | undefined, fn: Fn, init: unknown): unknown {
  if (list === undefined) return undefined;
  if (fn.arity < 2) throw new FastPathBailout('$reduce function takes fewer than two arguments');
  let index = 0;
  let acc = init;
  if (init === undefined && list.length > 0) {
    acc = list[0];
    index = 1;
  }
  for (; index < list.length; index++) {
    const args = [acc, list[index]];
    if (fn.arity >= 3) args.push(index);
    if (fn.arity >= 4) args.push(list);
    acc = invoke(fn, args);
  }
  return acc;
}

function mapOrFilter(list: unknown[] | undefined, fn: Fn, filtering: boolean): unknown {
  if (list === undefined) return undefined;
  const result = createSequence();
  list.forEach((item, i) => {
    const res = invoke(fn, hofArgs(fn, item, i, list));
    if (filtering ? toBoolean(res) : res !== undefined) result.push(filtering ? item : res);
  });
  return result;
}

function each(object: unknown, fn: Fn): FlaggedArray {
  const result = createSequence();
  for (const key of keysOf(object)) {
    const obj = object as Record<string, unknown>;
    const value = invoke(fn, hofArgs(fn, obj[key], key, obj));
    if (value !== undefined) result.push(value);
  }
  return result;
}

function sift(object: unknown, fn: Fn): unknown {
  const result: Record<string, unknown> = {};
  for (const key of keysOf(object)) {
    const obj = object as Record<string, unknown>;
    if (toBoolean(invoke(fn, hofArgs(fn, obj[key], key, obj)))) setKey(result, key, obj[key]);
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function distinct(list: unknown): unknown {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length <= 1) return list;
  const result: unknown[] = isSequence(list) ? createSequence() : [];
  for (const value of list) if (!result.some((seen) => deepEqual(value, seen))) result.push(value);
  return result;
}

function merge(objects: unknown[] | undefined): unknown {
  if (objects === undefined) return undefined;
  const result: Record<string, unknown> = {};
  for (const object of objects) {
    for (const key of keysOf(object)) setKey(result, key, (object as Record<string, unknown>)[key]);
  }
  return result;
}

function numbers(list: unknown[] | undefined, pick: (values: number[]) => number): number | undefined {
  return list === undefined || list.length === 0 ? undefined : pick(list as number[]);
}

/**
 * One built-in: signature, the arity `jsonata` reports for it when passed as a value (the length
 * of its JavaScript implementation) and the implementation over validated arguments.
 */
interface Builtin {
  signature: string;
  arity: number;
  run: (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const BUILTINS: Record<string, Builtin> = {
  count: { signature: '<a:n>', arity: 1, run: (list?: unknown[]) => (list === undefined ? 0 : list.length) },
  exists: { signature: '<x:b>', arity: 1, run: (value: unknown) => value !== undefined },
  string: {
    signature: '<x-b?:s>',
    arity: 1,
    run: (v: unknown, pretty?: boolean) => jsonataString(v, pretty),
  },
  boolean: { signature: '<x-:b>', arity: 1, run: toBoolean },
  not: { signature: '<x-:b>', arity: 1, run: (v: unknown) => (v === undefined ? undefined : !toBoolean(v)) },
  append: { signature: '<xx:a>', arity: 2, run: append },
  keys: { signature: '<x-:a<s>>', arity: 1, run: keys },
  lookup: { signature: '<x-s:x>', arity: 2, run: lookup },
  merge: { signature: '<a<o>:o>', arity: 1, run: merge },
  each: { signature: '<o-f:a>', arity: 2, run: each },
  sift: { signature: '<o-f?:o>', arity: 2, run: sift },
  sort: { signature: '<af?:a>', arity: 2, run: sort },
  reduce: { signature: '<afj?:j>', arity: 3, run: reduce },
  map: {
    signature: '<af>',
    arity: 2,
    run: (list?: unknown[], fn?: Fn) => mapOrFilter(list, fn as Fn, false),
  },
  filter: {
    signature: '<af>',
    arity: 2,
    run: (list?: unknown[], fn?: Fn) => mapOrFilter(list, fn as Fn, true),
  },
  distinct: { signature: '<x:x>', arity: 1, run: distinct },
  max: { signature: '<a<n>:n>', arity: 1, run: (l?: unknown[]) => numbers(l, (v) => Math.max(...v)) },
  min: { signature: '<a<n>:n>', arity: 1, run: (l?: unknown[]) => numbers(l, (v) => Math.min(...v)) },
  sum: {
    signature: '<a<n>:n>',
    arity: 1,
    run: (l?: unknown[]) => (l === undefined ? undefined : (l as number[]).reduce((a, b) => a + b, 0)),
  },
  reverse: {
    signature: '<a:a>',
    arity: 1,
    run: (l?: unknown[]) => (l === undefined ? undefined : l.length <= 1 ? l : [...l].reverse()),
  },
  join: {
    signature: '<a<s>s?:s>',
    arity: 2,
    run: (l?: string[], sep?: string) => (l === undefined ? undefined : l.join(sep ?? '')),
  },
  lowercase: { signature: '<s-:s>', arity: 1, run: (s?: string) => s?.toLowerCase() },
  uppercase: { signature: '<s-:s>', arity: 1, run: (s?: string) => s?.toUpperCase() },
};

function defineBuiltin(builtin: Builtin): JsonataFunction {
  const signature = parseSignature(builtin.signature);
  return new JsonataFunction(builtin.arity, (args, context) =>
    builtin.run(...signature.validate(args, context)),
  );
}

/** The built-ins by name (without `$`), as function values of the fast path. */
export const BUILTIN_FUNCTIONS: ReadonlyMap<string, JsonataFunction> = new Map(
  Object.entries(BUILTINS).map(([name, builtin]) => [name, defineBuiltin(builtin)]),
);

/**
 * Every name the `jsonata` package binds as a built-in. One the fast path does not implement
 * makes an expression fall back, so that it never reads as an unbound variable here.
 */
export const JSONATA_BUILTIN_NAMES: ReadonlySet<string> = new Set([
  ...BUILTIN_FUNCTIONS.keys(),
  ...'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power random boolean not map zip filter single reduce sift keys lookup append exists spread merge reverse each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis'.split(
    ' ',
  ),
]);
