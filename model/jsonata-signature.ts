/**
 * JSONata's function signatures (`<a<o>:o>`, `<x-b?:s>`), checked the way the `jsonata` package
 * checks them, because the check also changes arguments: a value given where an array is
 * expected becomes a one-item array, and a missing argument marked `-` becomes the context value.
 * A mismatch throws {@link FastPathBailout}: the re-run through `jsonata` reports the exact error.
 *
 * Pure.
 */
import { FastPathBailout, NO_CONTEXT, isFunction } from './jsonata-sequence.js';

interface Param {
  /** Type symbol: s n b l o a f j x, or `(sn)` for a choice. */
  type: string;
  /** Regex source matching this parameter's symbols. */
  regex: string;
  /** Type of the array's items (`a<o>` → `o`). */
  subtype?: string;
  /** A missing argument takes the context value (`-`). */
  context?: RegExp;
}

/** Validates and fixes up the arguments of one built-in. */
export interface Signature {
  /**
   * @param context the value a `-` parameter defaults to, or `NO_CONTEXT`.
   * @throws FastPathBailout when the arguments do not match.
   */
  validate(args: readonly unknown[], context: unknown): unknown[];
}

/** The one-letter type of a value, as signatures spell it (`m` for missing). */
export function typeSymbol(value: unknown): string {
  if (isFunction(value)) return 'f';
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      return value === null ? 'l' : Array.isArray(value) ? 'a' : 'o';
    default:
      return 'm';
  }
}

function closing(text: string, start: number, open: string, close: string): number {
  let depth = 1;
  let at = start;
  while (at < text.length && depth > 0) {
    at++;
    if (text[at] === close) depth--;
    else if (text[at] === open) depth++;
  }
  return at;
}

function parseParams(signature: string): Param[] {
  const params: Param[] = [];
  const last = (): Param => {
    const param = params[params.length - 1];
    if (param === undefined) throw new Error(`bad signature ${signature}`);
    return param;
  };
  for (let at = 1; at < signature.length && signature[at] !== ':' && signature[at] !== '>'; at++) {
    const symbol = signature[at] as string;
    if ('snblo'.includes(symbol)) params.push({ type: symbol, regex: `[${symbol}m]` });
    else if (symbol === 'a' || symbol === 'x') params.push({ type: symbol, regex: '[asnblfom]' });
    else if (symbol === 'f') params.push({ type: symbol, regex: 'f' });
    else if (symbol === 'j') params.push({ type: symbol, regex: '[asnblom]' });
    else if (symbol === '-') {
      last().context = new RegExp(last().regex);
      last().regex += '?';
    } else if (symbol === '?' || symbol === '+') last().regex += symbol;
    else if (symbol === '(') {
      const end = closing(signature, at, '(', ')');
      const choice = signature.slice(at + 1, end);
      params.push({ type: `(${choice})`, regex: `[${choice}m]` });
      at = end;
    } else if (symbol === '<') {
      const end = closing(signature, at, '<', '>');
      last().subtype = signature.slice(at + 1, end);
      at = end;
    } else throw new Error(`unsupported signature symbol ${symbol} in ${signature}`);
  }
  return params;
}

/** An array given for `a<t>`: empty, or every item of one type, the type `t` names. */
function itemsMatch(subtype: string, items: readonly unknown[]): boolean {
  if (items.length === 0) return true;
  const itemType = typeSymbol(items[0]);
  return itemType === subtype[0] && items.every((item) => typeSymbol(item) === itemType);
}

/** What to do with each validated argument, decided once per combination of argument types. */
type Action =
  | { kind: 'arg'; index: number; items?: string }
  | { kind: 'wrap'; index: number }
  | { kind: 'missing' }
  | { kind: 'context'; test: RegExp };

function planFor(params: readonly Param[], pattern: RegExp, symbols: string): Action[] {
  const found = pattern.exec(symbols);
  if (found === null) throw new FastPathBailout('arguments do not match the signature');
  const plan: Action[] = [];
  let index = 0;
  params.forEach((param, p) => {
    const match = found[p + 1] ?? '';
    if (match === '') {
      if (param.context === undefined) plan.push({ kind: 'arg', index: index++ });
      else plan.push({ kind: 'context', test: param.context });
      return;
    }
    for (const single of match) {
      const at = index++;
      if (param.type !== 'a') plan.push({ kind: 'arg', index: at });
      else if (single === 'm') plan.push({ kind: 'missing' });
      else if (single === 'a') {
        plan.push(
          param.subtype === undefined
            ? { kind: 'arg', index: at }
            : { kind: 'arg', index: at, items: param.subtype },
        );
      } else if (param.subtype !== undefined && match !== param.subtype) {
        throw new FastPathBailout('array items do not match the signature');
      } else plan.push({ kind: 'wrap', index: at });
    }
  });
  return plan;
}

/**
 * Parses a signature once; `validate` then runs per call. Plans are cached by the argument
 * types; the items of an array given for a typed array (`a<o>`) are checked on every call.
 */
export function parseSignature(signature: string): Signature {
  const params = parseParams(signature);
  const pattern = new RegExp(`^${params.map((p) => `(${p.regex})`).join('')}$`);
  const plans = new Map<number, Action[]>();
  return {
    validate(args, context) {
      // The argument types as a number, digit by digit in base 16, rather than a string of
      // symbols: building and hashing that string on every call cost more than the check.
      // Past 12 arguments the number could lose digits; such calls take the string.
      if (args.length > 12) return run(planFor(params, pattern, symbolsOf(args)), args, context);
      let code = 1;
      for (let i = 0; i < args.length; i++) code = code * 16 + typeCode(args[i]);
      let plan = plans.get(code);
      if (plan === undefined) {
        plan = planFor(params, pattern, symbolsOf(args));
        plans.set(code, plan);
      }
      return run(plan, args, context);
    },
  };
}

function symbolsOf(args: readonly unknown[]): string {
  let symbols = '';
  for (const arg of args) symbols += typeSymbol(arg);
  return symbols;
}

/** `typeSymbol` as a number (1–8), for the plan cache of `parseSignature`. */
function typeCode(value: unknown): number {
  if (isFunction(value)) return 1;
  switch (typeof value) {
    case 'string':
      return 2;
    case 'number':
      return 3;
    case 'boolean':
      return 4;
    case 'object':
      return value === null ? 5 : Array.isArray(value) ? 6 : 7;
    default:
      return 8;
  }
}

function run(plan: readonly Action[], args: readonly unknown[], context: unknown): unknown[] {
  const out = new Array<unknown>(plan.length);
  for (let i = 0; i < plan.length; i++) {
    const action = plan[i] as Action;
    if (action.kind === 'arg') {
      const arg = args[action.index];
      if (action.items !== undefined && !itemsMatch(action.items, arg as unknown[])) {
        throw new FastPathBailout('array items do not match the signature');
      }
      out[i] = arg;
    } else if (action.kind === 'wrap') out[i] = [args[action.index]];
    else if (action.kind === 'context') {
      if (context === NO_CONTEXT) throw new FastPathBailout('context argument without a context');
      if (!action.test.test(typeSymbol(context)))
        throw new FastPathBailout('context value of the wrong type');
      out[i] = context;
    }
  }
  return out;
}
