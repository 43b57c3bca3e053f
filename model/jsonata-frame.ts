/**
 * Variable frames and per-evaluation state of the compiled JSONata fast path. Scoping follows the
 * `jsonata` package: a block or a lambda call opens a frame, `:=` binds in the current one, and
 * lookups walk outwards to the evaluation's root, then the caller's bindings, then the built-ins.
 *
 * Pure.
 */
import { BUILTIN_FUNCTIONS, JSONATA_BUILTIN_NAMES } from './jsonata-functions.js';
import { FastPathBailout, JsonataFunction, NO_CONTEXT, isFunction } from './jsonata-sequence.js';

/** A compiled expression node: its value for a context item in a frame. */
export type Evaluator = (input: unknown, frame: Frame) => unknown;

/** JavaScript functions given as bindings, as function values (cached so `=` sees one value). */
const wrapped = new WeakMap<(...args: unknown[]) => unknown, JsonataFunction>();

function wrapBinding(fn: (...args: unknown[]) => unknown): JsonataFunction {
  let known = wrapped.get(fn);
  if (known === undefined) {
    known = new JsonataFunction(fn.length, (args, context) => {
      // `jsonata` hands bindings JavaScript closures for function arguments; not reproduced here.
      if (args.some(isFunction)) throw new FastPathBailout('function passed to a binding');
      const result = fn.apply(context === NO_CONTEXT ? undefined : context, args);
      if (
        typeof result === 'object' &&
        result !== null &&
        typeof (result as { then?: unknown }).then === 'function'
      ) {
        throw new FastPathBailout('asynchronous binding');
      }
      return result;
    });
    wrapped.set(fn, known);
  }
  return known;
}

/** State of one evaluation: the root input, the bindings and the guards. */
export class Runtime {
  /** Nested lambda calls in progress. */
  depth = 0;
  private calls = 0;
  private readonly started = Date.now();

  constructor(
    readonly root: unknown,
    private readonly bindings: Readonly<Record<string, unknown>>,
    /** Nested lambda calls allowed before handing the expression to `jsonata` (its stack guard). */
    private readonly maxDepth: number,
    /** Wall time allowed before handing the expression to `jsonata` (its timeout). */
    private readonly budgetMs: number,
  ) {}

  /** Counts a lambda call in; see `jsonata-compile.ts` for why the limits are what they are. */
  enter(): void {
    if (++this.depth > this.maxDepth)
      throw new FastPathBailout('recursion deeper than the stack guard allows');
    if ((++this.calls & 255) === 0 && Date.now() - this.started > this.budgetMs) {
      throw new FastPathBailout('evaluation is taking too long');
    }
  }

  leave(): void {
    this.depth--;
  }

  lookupRoot(name: string): unknown {
    if (name === '$') return this.root;
    if (Object.prototype.hasOwnProperty.call(this.bindings, name)) {
      const value = this.bindings[name];
      if (typeof value === 'function') return wrapBinding(value as (...args: unknown[]) => unknown);
      if (isFunction(value)) throw new FastPathBailout('jsonata function object as a binding');
      return value;
    }
    const builtin = BUILTIN_FUNCTIONS.get(name);
    if (builtin === undefined && JSONATA_BUILTIN_NAMES.has(name)) {
      throw new FastPathBailout(`$${name} is a built-in the fast path lacks`);
    }
    return builtin;
  }
}

export class Frame {
  private vars: Map<string, unknown> | undefined;

  constructor(
    private readonly parent: Frame | undefined,
    readonly runtime: Runtime,
  ) {}

  bind(name: string, value: unknown): void {
    (this.vars ??= new Map()).set(name, value);
  }

  lookup(name: string): unknown {
    if (this.vars?.has(name)) return this.vars.get(name);
    return this.parent === undefined ? this.runtime.lookupRoot(name) : this.parent.lookup(name);
  }
}
