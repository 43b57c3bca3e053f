/**
 * Compiles a JSONata expression (the processed AST of the `jsonata` package) into synchronous
 * JavaScript closures. The `jsonata` evaluator awaits on every AST node, which makes one template
 * evaluation cost 100–700 µs; the closures do the same work as plain calls.
 *
 * Correctness never depends on coverage: a node, operator or built-in the compiler does not know
 * makes `compileJsonata` return `undefined`, and the caller evaluates with `jsonata` instead. At
 * run time, anything the closures do not reproduce exactly (every error, a function in the
 * result, a `__proto__` key, …) throws, and the caller re-runs the expression through `jsonata`,
 * whose result or error is the answer — errors are rare, so their double cost does not matter and
 * their code, position and token are exactly `jsonata`'s.
 *
 * Guards: `jsonata` fails with D1011 past 500 nested evaluations and D1012 past its timeout. A
 * synchronous closure cannot be interrupted, so instead nested lambda calls are counted, and
 * past `floor(500 / depth of the AST) - 1` of them — the deepest nesting `jsonata` could reach
 * without failing, evaluating one AST nesting per call — the expression goes to `jsonata`, which
 * then decides. So does an evaluation that runs longer than 1% of the timeout (the closures run
 * 20–100 times faster than `jsonata`). `jsonata` also counts branches of array and object
 * constructors that are pending at once, so a very wide recursive template may fail there and
 * succeed here; no expression fails here that succeeds there.
 *
 * Pure (no I/O, no clock except the timeout guard).
 */
import {
  UnsupportedExpression,
  compileArray,
  compileFilter,
  compileObject,
  compilePath,
  type AstNode,
} from './jsonata-compile-path.js';
import { Frame, Runtime, type Evaluator } from './jsonata-frame.js';
import { BUILTIN_FUNCTIONS, JSONATA_BUILTIN_NAMES } from './jsonata-functions.js';
import { compileBinary } from './jsonata-operators.js';
import {
  FastPathBailout,
  JsonataFunction,
  NO_CONTEXT,
  finish,
  isNumeric,
  lookup as lookupName,
  toBoolean,
  toPlainJson,
} from './jsonata-sequence.js';

/** `jsonata`'s stack guard: nested evaluations allowed (the `stack` option). */
const STACK_LIMIT = 500;

/** AST keys of features the compiler does not reproduce (tuple streams, parent `%`, grouping). */
const UNSUPPORTED_KEYS = ['group', 'focus', 'tuple', 'index', 'ancestor', 'seekingParent'] as const;

/** A compiled expression: evaluates to plain JSON or throws (then ask `jsonata`). */
export interface FastExpression {
  /**
   * @throws anything when the result may differ from `jsonata`'s: re-run through `jsonata`.
   */
  evaluate(input: unknown, bindings: Readonly<Record<string, unknown>>): unknown;
}

const children = (node: AstNode): AstNode[] => {
  const out: AstNode[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string') {
      out.push(value as AstNode);
    } else if (typeof value === 'object' && value !== null && 'expr' in value) visit(value.expr);
  };
  for (const [key, value] of Object.entries(node)) if (key !== 'value' && key !== 'position') visit(value);
  return out;
};

/** Depth of the AST, and a check of features anywhere in it. */
function inspect(node: AstNode): number {
  for (const key of UNSUPPORTED_KEYS) if (key in node) throw new UnsupportedExpression(key);
  const inner = children(node);
  return 1 + inner.reduce((deepest, child) => Math.max(deepest, inspect(child)), 0);
}

/**
 * `jsonata` evaluates the items of `[…]` and the values of `{…}` concurrently; a `:=` among them
 * (outside a block or lambda, which open their own frame) could interleave differently here.
 */
function bindsInFrame(node: AstNode): boolean {
  if (node.type === 'bind') return true;
  if (node.type === 'block' || node.type === 'lambda') return false;
  return children(node).some(bindsInFrame);
}

function withPostProcessing(node: AstNode, base: Evaluator, compile: (n: AstNode) => Evaluator): Evaluator {
  const filters = node.predicate?.map((p) => {
    if (p.type !== 'filter') throw new UnsupportedExpression(`${p.type} predicate`);
    return compileFilter(p.expr, compile);
  });
  const keep = node.keepArray === true;
  if (filters === undefined) return (input, frame) => finish(base(input, frame), keep);
  return (input, frame) => {
    let result = base(input, frame);
    for (const filter of filters) result = filter(result, frame);
    return finish(result, keep);
  };
}

function callFunction(fn: unknown, args: unknown[], context: unknown): unknown {
  if (!(fn instanceof JsonataFunction)) throw new FastPathBailout('call of something that is not a function');
  return fn.call(args, context);
}

/** A call; `tail` ones are a lambda's tail calls, whose results `jsonata` does not unwrap. */
function compileCall(node: AstNode, compile: (n: AstNode) => Evaluator, tail: boolean): Evaluator {
  const procedure = compile(node.procedure as AstNode);
  const args = (node.arguments ?? []).map(compile);
  return (input, frame) => {
    const fn = procedure(input, frame);
    const values = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) values[i] = (args[i] as Evaluator)(input, frame);
    // jsonata's trampoline gives a tail-called built-in its caller's context, not this one.
    return callFunction(fn, values, tail ? NO_CONTEXT : input);
  };
}

function compileLambda(node: AstNode, compileTail: (n: AstNode) => Evaluator): Evaluator {
  if (node.signature !== undefined) throw new UnsupportedExpression('lambda signature');
  if (node.thunk === true) throw new UnsupportedExpression('tail call outside a lambda body');
  const params = (node.arguments ?? []).map((arg) => String(arg.value));
  const body = compileTail(node.body as AstNode);
  return (input, frame) =>
    new JsonataFunction(params.length, (args) => {
      const runtime = frame.runtime;
      runtime.enter();
      const local = new Frame(frame, runtime);
      params.forEach((param, i) => local.bind(param, args[i]));
      const result = body(input, local);
      runtime.leave();
      return result;
    });
}

function compileBlock(expressions: Evaluator[]): Evaluator {
  return (input, frame) => {
    const local = new Frame(frame, frame.runtime);
    let result: unknown;
    for (const expression of expressions) result = expression(input, local);
    return result;
  };
}

function compileCondition(
  node: AstNode,
  compile: (n: AstNode) => Evaluator,
  branch: (n: AstNode) => Evaluator,
) {
  const condition = compile(node.condition as AstNode);
  const then = branch(node.then as AstNode);
  const otherwise = node.else === undefined ? undefined : branch(node.else);
  return (input: unknown, frame: Frame): unknown =>
    toBoolean(condition(input, frame)) ? then(input, frame) : otherwise?.(input, frame);
}

function compileUnary(node: AstNode, compile: (n: AstNode) => Evaluator): Evaluator {
  switch (node.value) {
    case '-': {
      const operand = compile(node.expression as AstNode);
      return (input, frame) => {
        const value = operand(input, frame);
        if (value === undefined) return undefined;
        if (!isNumeric(value)) throw new FastPathBailout('minus of a non-number');
        return -value;
      };
    }
    case '[':
      if ((node.expressions ?? []).some(bindsInFrame))
        throw new UnsupportedExpression(':= in an array constructor');
      return compileArray(node, compile);
    case '{': {
      const pairs = node.lhs as [AstNode, AstNode][];
      if (pairs.some(([k, v]) => bindsInFrame(k) || bindsInFrame(v))) {
        throw new UnsupportedExpression(':= in an object constructor');
      }
      return compileObject(pairs, compile);
    }
    default:
      throw new UnsupportedExpression(`unary ${String(node.value)}`);
  }
}

/** Compiles one node, as `jsonata`'s `evaluate` runs it (predicates, `[]`, unwrapping). */
function compileNode(node: AstNode): Evaluator {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      const base: Evaluator = () => value;
      return node.predicate || node.keepArray ? withPostProcessing(node, base, compileNode) : base;
    }
    case 'unary': {
      const base = compileUnary(node, compileNode);
      return node.predicate || node.keepArray ? withPostProcessing(node, base, compileNode) : base;
    }
    case 'condition':
    case 'block':
    case 'bind': {
      // Their value is a child's, already unwrapped: only predicates and `[]` add anything.
      const base = compileBase(node, false);
      return node.predicate || node.keepArray ? withPostProcessing(node, base, compileNode) : base;
    }
    default:
      return withPostProcessing(node, compileBase(node, false), compileNode);
  }
}

/** A lambda body's node: tail calls (and the blocks and conditions leading to them) stay raw. */
function compileTail(node: AstNode): Evaluator {
  const plain = node.predicate === undefined && node.keepArray !== true;
  if (node.type === 'lambda' && node.thunk === true) {
    const call = node.body as AstNode;
    if (call.keepArray === true || call.predicate !== undefined)
      throw new UnsupportedExpression('[] on a tail call');
    return compileBase(call, true);
  }
  if (plain && node.type === 'condition') return compileCondition(node, compileNode, compileTail);
  if (plain && node.type === 'block') {
    const expressions = node.expressions ?? [];
    return compileBlock(
      expressions.map((e, i) => (i === expressions.length - 1 ? compileTail(e) : compileNode(e))),
    );
  }
  return compileNode(node);
}

function compileVariable(node: AstNode): Evaluator {
  const name = String(node.value);
  if (name === '') return (input) => input;
  return (_input, frame) => frame.lookup(name);
}

/** Names the expression binds (`:=`, lambda parameters): they may shadow built-ins. */
function boundNames(node: AstNode, into = new Set<string>()): Set<string> {
  if (node.type === 'bind') into.add(String((node.lhs as AstNode).value));
  if (node.type === 'lambda') for (const arg of node.arguments ?? []) into.add(String(arg.value));
  for (const child of children(node)) boundNames(child, into);
  return into;
}

/** A built-in the fast path lacks, used and never rebound: `jsonata` will be needed anyway. */
function usesMissingBuiltin(node: AstNode, bound: ReadonlySet<string>): boolean {
  if (node.type === 'variable') {
    const name = String(node.value);
    if (JSONATA_BUILTIN_NAMES.has(name) && !BUILTIN_FUNCTIONS.has(name) && !bound.has(name)) return true;
  }
  return children(node).some((child) => usesMissingBuiltin(child, bound));
}

function compileBase(node: AstNode, tail: boolean): Evaluator {
  switch (node.type) {
    case 'path':
      return compilePath(node, compileNode);
    case 'name': {
      const key = String(node.value);
      return (input) => lookupName(input, key);
    }
    case 'variable':
      return compileVariable(node);
    case 'binary':
      return compileBinary(node, compileNode);
    case 'condition':
      return compileCondition(node, compileNode, compileNode);
    case 'block':
      return compileBlock((node.expressions ?? []).map(compileNode));
    case 'bind': {
      const name = String((node.lhs as AstNode).value);
      const value = compileNode(node.rhs as AstNode);
      return (input, frame) => {
        const result = value(input, frame);
        frame.bind(name, result);
        return result;
      };
    }
    case 'function':
      return compileCall(node, compileNode, tail);
    case 'lambda':
      return compileLambda(node, compileTail);
    default:
      throw new UnsupportedExpression(`${node.type} expressions`);
  }
}

/**
 * The fast path of an expression, or `undefined` when it uses something the compiler does not
 * reproduce (then evaluate with `jsonata`).
 *
 * @param ast `jsonata(expression).ast()`.
 * @param timeoutMs `jsonata`'s timeout for this expression (see the guards above).
 */
export function compileJsonata(ast: unknown, timeoutMs: number): FastExpression | undefined {
  const root = ast as AstNode;
  let evaluator: Evaluator;
  let depth: number;
  try {
    depth = inspect(root);
    if (usesMissingBuiltin(root, boundNames(root))) return undefined;
    evaluator = compileNode(root);
  } catch {
    // UnsupportedExpression, or anything else that stops compiling: it only costs speed, since
    // jsonata then evaluates the expression as it always did.
    return undefined;
  }
  const maxDepth = Math.floor(STACK_LIMIT / depth) - 1;
  if (maxDepth < 0) return undefined;
  const budgetMs = timeoutMs / 100;
  return {
    evaluate(input, bindings) {
      // A top-level array is wrapped by `jsonata` (outerWrapper) so that `$` is the whole array.
      if (Array.isArray(input)) throw new FastPathBailout('array input');
      const runtime = new Runtime(input, bindings, maxDepth, budgetMs);
      return toPlainJson(evaluator(input, new Frame(undefined, runtime)));
    },
  };
}
