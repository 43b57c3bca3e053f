/**
 * The binary operators of the compiled JSONata fast path, with `jsonata`'s rules: `undefined`
 * makes arithmetic and comparisons `undefined` and `=`/`in` false, `&` stringifies as `$string`,
 * `and`/`or` short-circuit over effective booleans. Type errors throw {@link FastPathBailout} so
 * that `jsonata` reports them. `..` (ranges) is left to `jsonata`.
 *
 * Pure.
 */
import { UnsupportedExpression, type AstNode } from './jsonata-compile-path.js';
import type { Evaluator } from './jsonata-frame.js';
import { jsonataString } from './jsonata-functions.js';
import { FastPathBailout, deepEqual, isNumeric, toBoolean } from './jsonata-sequence.js';

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

const COMPARISON: Record<string, (a: number | string, b: number | string) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function arithmetic(op: (a: number, b: number) => number, lhs: unknown, rhs: unknown): number | undefined {
  if (lhs !== undefined && !isNumeric(lhs)) throw new FastPathBailout('arithmetic on a non-number');
  if (rhs !== undefined && !isNumeric(rhs)) throw new FastPathBailout('arithmetic on a non-number');
  if (lhs === undefined || rhs === undefined) return undefined;
  const result = op(lhs, rhs);
  // jsonata returns the infinity, then fails wherever it is next used (D1001): let it decide.
  if (!Number.isFinite(result)) throw new FastPathBailout('infinite result');
  return result;
}

function comparable(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number';
}

function comparison(op: (a: number | string, b: number | string) => boolean, lhs: unknown, rhs: unknown) {
  if (!comparable(lhs) || !comparable(rhs)) throw new FastPathBailout('comparison of a non-comparable value');
  if (lhs === undefined || rhs === undefined) return undefined;
  if (typeof lhs !== typeof rhs) throw new FastPathBailout('comparison of a string with a number');
  return op(lhs as number | string, rhs as number | string);
}

function includes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  return Array.isArray(rhs) ? rhs.some((item) => item === lhs) : rhs === lhs;
}

/** `and`/`or` read `undefined` as false. */
const truthy = (value: unknown): boolean => toBoolean(value) ?? false;

export function compileBinary(node: AstNode, compile: (n: AstNode) => Evaluator): Evaluator {
  const op = String(node.value);
  const lhs = compile(node.lhs as AstNode);
  const rhs = compile(node.rhs as AstNode);
  if (op === 'and') return (input, frame) => truthy(lhs(input, frame)) && truthy(rhs(input, frame));
  if (op === 'or') return (input, frame) => truthy(lhs(input, frame)) || truthy(rhs(input, frame));
  const math = ARITHMETIC[op];
  if (math !== undefined) return (input, frame) => arithmetic(math, lhs(input, frame), rhs(input, frame));
  const compare = COMPARISON[op];
  if (compare !== undefined)
    return (input, frame) => comparison(compare, lhs(input, frame), rhs(input, frame));
  switch (op) {
    case '=':
    case '!=': {
      const equal = op === '=';
      return (input, frame) => {
        const l = lhs(input, frame);
        const r = rhs(input, frame);
        if (l === undefined || r === undefined) return false;
        return deepEqual(l, r) === equal;
      };
    }
    case '&':
      return (input, frame) => {
        const l = lhs(input, frame);
        const r = rhs(input, frame);
        return (
          (l === undefined ? '' : (jsonataString(l) ?? '')) +
          (r === undefined ? '' : (jsonataString(r) ?? ''))
        );
      };
    case 'in':
      return (input, frame) => includes(lhs(input, frame), rhs(input, frame));
    default:
      throw new UnsupportedExpression(`operator ${op}`);
  }
}
