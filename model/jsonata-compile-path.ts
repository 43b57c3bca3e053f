/**
 * Location paths, predicates and the array and object constructors of the compiled JSONata fast
 * path: the parts whose sequence rules (flattening, constructed arrays that do not flatten,
 * numeric predicates that index, object constructors that group their input) decide the shape of
 * every template result. Each function mirrors the step of the `jsonata` evaluator it is named
 * after; `jsonata-compile.ts` compiles the nodes inside them.
 *
 * Pure.
 */
import type { Evaluator, Frame } from './jsonata-frame.js';
import {
  FastPathBailout,
  append,
  createSequence,
  isArrayOfNumbers,
  isFunction,
  isNumeric,
  isSequence,
  setKey,
  toBoolean,
  type FlaggedArray,
} from './jsonata-sequence.js';

/** A processed AST node of the `jsonata` package (`expr.ast()`), as far as the compiler reads it. */
export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: { type: string; expr: AstNode }[];
  predicate?: { type: string; expr: AstNode }[];
  expressions?: AstNode[];
  lhs?: AstNode | [AstNode, AstNode][];
  rhs?: AstNode;
  expression?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  procedure?: AstNode;
  arguments?: AstNode[];
  body?: AstNode;
  signature?: unknown;
  thunk?: boolean;
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  consarray?: boolean;
}

/** Thrown while compiling: the expression uses something the fast path does not reproduce. */
export class UnsupportedExpression extends Error {
  constructor(readonly feature: string) {
    super(`JSONata fast path does not support ${feature}`);
    this.name = 'UnsupportedExpression';
  }
}

export type Compile = (node: AstNode) => Evaluator;

/** A predicate: keeps the items of its input it selects. */
export type Filter = (input: unknown, frame: Frame) => FlaggedArray;

/** `[n]` indexes (negative from the end); any other predicate selects by index list or truth. */
export function compileFilter(predicate: AstNode, compile: Compile): Filter {
  if (predicate.type === 'number') {
    const wanted = Math.floor(predicate.value as number);
    return (input) => {
      const items: unknown[] = Array.isArray(input) ? input : createSequence(input);
      const item = items[wanted < 0 ? items.length + wanted : wanted];
      if (item === undefined) return createSequence();
      return Array.isArray(item) ? (item as FlaggedArray) : createSequence(item);
    };
  }
  const test = compile(predicate);
  return (input, frame) => {
    const results = createSequence();
    const items: unknown[] = Array.isArray(input) ? input : createSequence(input);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      let res = test(item, frame);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (const n of res as number[]) {
          const i = Math.floor(n);
          if ((i < 0 ? items.length + i : i) === index) results.push(item);
        }
      } else if (toBoolean(res)) results.push(item);
    }
    return results;
  };
}

function compileStages(node: AstNode, compile: Compile): Filter[] | undefined {
  return node.stages?.map((stage) => {
    if (stage.type !== 'filter') throw new UnsupportedExpression(`${stage.type} stage`);
    return compileFilter(stage.expr, compile);
  });
}

interface Step {
  evaluate: Evaluator;
  stages: Filter[] | undefined;
  /** The first step is a constructed array: evaluated once over the whole input. */
  once: boolean;
}

/** One path step over every item of its input, results flattened unless constructed arrays. */
function evaluateStep(step: Step, input: ArrayLike<unknown>, frame: Frame, last: boolean): unknown {
  const results: unknown[] = [];
  for (let i = 0; i < input.length; i++) {
    let res = step.evaluate(input[i], frame);
    if (step.stages) for (const stage of step.stages) res = stage(res, frame);
    if (res !== undefined) results.push(res);
  }
  const only = results[0];
  if (last && results.length === 1 && Array.isArray(only) && !isSequence(only)) return only;
  const out = createSequence();
  for (const res of results) {
    if (!Array.isArray(res) || (res as FlaggedArray).cons) out.push(res);
    else for (const v of res) out.push(v);
  }
  return out;
}

const plainStep = (step: AstNode): boolean =>
  step.stages === undefined &&
  step.predicate === undefined &&
  step.keepArray !== true &&
  step.consarray !== true;

/**
 * `a.b.c` (or `$v.b.c`) over objects is just property reads; the general path rules give the
 * same value as long as no array is met on the way or at the end, so the first array hands
 * over to them.
 */
function compileNameChain(node: AstNode, general: Evaluator, compile: Compile): Evaluator | undefined {
  const nodes = node.steps ?? [];
  const [first, ...rest] = nodes;
  if (first === undefined || node.keepSingletonArray === true || !nodes.every(plainStep)) return undefined;
  if (first.type !== 'name' && first.type !== 'variable') return undefined;
  if (!rest.every((step) => step.type === 'name')) return undefined;
  const start = first.type === 'variable' ? compile(first) : undefined;
  const names = (start === undefined ? nodes : rest).map((step) => String(step.value));
  return (input, frame) => {
    let value: unknown = start === undefined ? input : start(input, frame);
    for (const name of names) {
      if (typeof value !== 'object' || value === null) return undefined;
      if (Array.isArray(value) || isFunction(value)) return general(input, frame);
      value = Object.prototype.hasOwnProperty.call(value, name)
        ? (value as Record<string, unknown>)[name]
        : undefined;
    }
    return Array.isArray(value) || isFunction(value) ? general(input, frame) : value;
  };
}

export function compilePath(node: AstNode, compile: Compile): Evaluator {
  const general = compileGeneralPath(node, compile);
  return compileNameChain(node, general, compile) ?? general;
}

function compileGeneralPath(node: AstNode, compile: Compile): Evaluator {
  const nodes = node.steps ?? [];
  const steps: Step[] = nodes.map((step, i) => {
    const once = i === 0 && step.consarray === true;
    if (once && step.stages !== undefined)
      throw new UnsupportedExpression('predicate stages on a constructed array');
    return { evaluate: compile(step), stages: compileStages(step, compile), once };
  });
  const absolute = nodes[0]?.type === 'variable';
  const keepSingletonArray = node.keepSingletonArray === true;
  const last = steps.length - 1;
  return (input, frame) => {
    let current: unknown = Array.isArray(input) && !absolute ? input : createSequence(input);
    let result: unknown;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as Step;
      result = step.once
        ? step.evaluate(current, frame)
        : evaluateStep(step, current as ArrayLike<unknown>, frame, i === last);
      if (result === undefined || (result as { length?: number }).length === 0) break;
      current = result;
    }
    if (keepSingletonArray) {
      if (Array.isArray(result) && (result as FlaggedArray).cons && !isSequence(result)) {
        result = createSequence(result);
      }
      if (typeof result !== 'object' || result === null) throw new FastPathBailout('[] on a non-array path');
      (result as FlaggedArray).keepSingleton = true;
    }
    return result;
  };
}

/** `[a, b, …]`: items appended (arrays spliced in), nested constructors kept whole. */
export function compileArray(node: AstNode, compile: Compile): Evaluator {
  const items = (node.expressions ?? []).map((item) => ({
    evaluate: compile(item),
    nested: item.value === '[',
  }));
  const cons = node.consarray === true;
  return (input, frame) => {
    const result: FlaggedArray = [];
    for (const item of items) {
      const value = item.evaluate(input, frame);
      if (value === undefined) continue;
      if (item.nested || !Array.isArray(value)) result.push(value);
      else for (const v of value) result.push(v);
    }
    if (cons) result.cons = true;
    return result;
  };
}

interface Pair {
  key: Evaluator;
  value: Evaluator;
}

function keyOf(pair: Pair, item: unknown, frame: Frame): string | undefined {
  const key = pair.key(item, frame);
  if (key !== undefined && typeof key !== 'string') throw new FastPathBailout('object key is not a string');
  if (key === '_jsonata_lambda' || key === '_jsonata_function') throw new FastPathBailout('reserved key');
  return key;
}

/**
 * `{k: v, …}`: groups the input items by key and evaluates each value over its group, as
 * JSONata's `evaluateGroupExpression` (one item in the common case). Keys are all evaluated
 * before values, as there.
 */
export function compileObject(pairs: [AstNode, AstNode][], compile: Compile): Evaluator {
  const compiled: Pair[] = pairs.map(([key, value]) => ({ key: compile(key), value: compile(value) }));
  const literal = pairs.map(([key]) =>
    key.type === 'string' && key.predicate === undefined ? String(key.value) : undefined,
  );
  const distinct = new Set(literal).size === literal.length;
  const reserved = ['__proto__', '_jsonata_lambda', '_jsonata_function'];
  if (distinct && literal.every((key) => key !== undefined && !reserved.includes(key))) {
    // Literal, distinct keys over one item: no grouping can happen, values go straight in.
    const general = compileGroups(compiled);
    const build = literalObjectBuilder(literal as string[]);
    const values = compiled.map((pair) => pair.value);
    return (input, frame) => (Array.isArray(input) ? general(input, frame) : build(values, input, frame));
  }
  return compileGroups(compiled);
}

type LiteralObjectBuilder = (values: readonly Evaluator[], input: unknown, frame: Frame) => unknown;

/**
 * Builds `{k1: v1, k2: v2, …}` over one item, each value evaluated in order and left out when
 * undefined. Generated per constructor: one shared loop storing `result[keys[i]]` made every store
 * megamorphic (V8's generic keyed store, the costliest line of a template), while a function of
 * its own stores each key at a site that only ever sees that constructor's shapes. The keys are
 * printed as JSON string literals, which JavaScript reads back as the same strings; none is
 * `__proto__` (the caller excludes it), so every assignment defines an own member.
 */
function literalObjectBuilder(keys: readonly string[]): LiteralObjectBuilder {
  let body = 'const result = {};\nlet value;\n';
  keys.forEach((key, i) => {
    body += `value = values[${i}](input, frame);\nif (value !== undefined) result[${JSON.stringify(key)}] = value;\n`;
  });
  body += 'return result;';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the body is built above from JSON-printed keys and indices only
  return new Function('values', 'input', 'frame', body) as LiteralObjectBuilder;
}

function compileGroups(compiled: Pair[]): Evaluator {
  return (input, frame) => {
    const groups = new Map<string, { data: unknown; pair: number }>();
    if (Array.isArray(input)) {
      // `jsonata` pushes `undefined` into an empty input array (the caller's value): not copied.
      if (input.length === 0) throw new FastPathBailout('object constructor over an empty array');
      for (const item of input) {
        compiled.forEach((pair, index) => {
          const key = keyOf(pair, item, frame);
          if (key === undefined) return;
          const group = groups.get(key);
          if (group === undefined) groups.set(key, { data: item, pair: index });
          else if (group.pair !== index) throw new FastPathBailout('two keys of one object are equal');
          else group.data = append(group.data, item);
        });
      }
    } else {
      compiled.forEach((pair, index) => {
        const key = keyOf(pair, input, frame);
        if (key === undefined) return;
        if (groups.has(key)) throw new FastPathBailout('two keys of one object are equal');
        groups.set(key, { data: input, pair: index });
      });
    }
    const result: Record<string, unknown> = {};
    for (const [key, group] of groups) {
      const value = (compiled[group.pair] as Pair).value(group.data, frame);
      if (value !== undefined) setKey(result, key, value);
    }
    return result;
  };
}
