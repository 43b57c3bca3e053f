/**
 * `valueFrom` of a step or component output (KubeVela's `outputs: [{name, valueFrom}]`): a path
 * into what the step produced (`output.value.status.phase`, `response.data[0]["id"]`), a literal
 * (`"ready"`, `3`, `true`), or several joined with `+` (strings concatenate, numbers add).
 *
 * KubeVela evaluates `valueFrom` as CUE. Revela keeps to this deterministic subset so outputs are
 * computed in workflow code from the step's recorded result: replaying a history recomputes the
 * same values without running CUE or JSONata, whose upgrades could otherwise change them.
 *
 * Workflow-safe.
 */
import { InvalidDocumentError } from './errors.js';

type Segment = string | number;
type Term = { kind: 'path'; segments: Segment[] } | { kind: 'literal'; value: unknown };

/** A parsed `valueFrom`. */
export interface ValueFrom {
  readonly expression: string;
  /** The first segment of every path it reads (`output`, `response`, `parameter`). */
  readonly roots: readonly string[];
  readonly terms: readonly Term[];
}

/** Why a `valueFrom` could not be evaluated; the step fails with this reason. */
export class ValueFromError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`valueFrom "${expression}": ${reason}`);
    this.name = 'ValueFromError';
  }
}

function fail(expression: string, at: number, reason: string): never {
  throw new InvalidDocumentError(`invalid valueFrom "${expression}" at position ${at}: ${reason}`, {
    path: 'valueFrom',
  });
}

function readString(expression: string, start: number): { value: string; end: number } {
  const quote = expression.charAt(start);
  let value = '';
  let j = start + 1;
  while (j < expression.length && expression.charAt(j) !== quote) {
    if (expression.charAt(j) === '\\' && j + 1 < expression.length) j++;
    value += expression.charAt(j);
    j++;
  }
  if (j >= expression.length) fail(expression, start, 'unterminated string');
  return { value, end: j + 1 };
}

function parseTerm(expression: string, start: number): { term: Term; end: number } {
  let i = start;
  const c = expression.charAt(i);
  if (c === '"' || c === "'") {
    const s = readString(expression, i);
    return { term: { kind: 'literal', value: s.value }, end: s.end };
  }
  const number = /^-?\d+(\.\d+)?/.exec(expression.slice(i));
  if (number) return { term: { kind: 'literal', value: Number(number[0]) }, end: i + number[0].length };
  const head = /^[A-Za-z_$][\w$-]*/.exec(expression.slice(i));
  if (!head) fail(expression, i, 'expected a path, a string or a number');
  if (head[0] === 'true' || head[0] === 'false' || head[0] === 'null') {
    const value = head[0] === 'null' ? null : head[0] === 'true';
    return { term: { kind: 'literal', value }, end: i + head[0].length };
  }
  const segments: Segment[] = [head[0]];
  i += head[0].length;
  for (;;) {
    const next = expression.charAt(i);
    if (next === '.') {
      const key = /^[A-Za-z_$][\w$-]*/.exec(expression.slice(i + 1));
      if (!key) fail(expression, i + 1, 'expected a field name after "."');
      segments.push(key[0]);
      i += 1 + key[0].length;
    } else if (next === '[') {
      const inner = expression.charAt(i + 1);
      if (inner === '"' || inner === "'") {
        const s = readString(expression, i + 1);
        segments.push(s.value);
        i = s.end;
      } else {
        const index = /^\d+/.exec(expression.slice(i + 1));
        if (!index) fail(expression, i + 1, 'expected an index or a quoted key inside [ ]');
        segments.push(Number(index[0]));
        i += 1 + index[0].length;
      }
      if (expression.charAt(i) !== ']') fail(expression, i, 'expected "]"');
      i++;
    } else {
      return { term: { kind: 'path', segments }, end: i };
    }
  }
}

const cache = new Map<string, ValueFrom>();

/**
 * Parses a `valueFrom` (cached).
 *
 * @throws InvalidDocumentError (path `valueFrom`) with the position of the problem.
 */
export function parseValueFrom(expression: string): ValueFrom {
  const cached = cache.get(expression);
  if (cached) return cached;
  const terms: Term[] = [];
  let i = 0;
  const skip = () => {
    while (i < expression.length && /\s/.test(expression.charAt(i))) i++;
  };
  skip();
  if (i >= expression.length) fail(expression, 0, 'is empty');
  for (;;) {
    const { term, end } = parseTerm(expression, i);
    terms.push(term);
    i = end;
    skip();
    if (i >= expression.length) break;
    if (expression.charAt(i) !== '+') fail(expression, i, 'expected "+" or the end');
    i++;
    skip();
  }
  const roots = [...new Set(terms.flatMap((t) => (t.kind === 'path' ? [String(t.segments[0])] : [])))];
  const parsed: ValueFrom = { expression, roots, terms };
  if (cache.size > 1000) cache.clear();
  cache.set(expression, parsed);
  return parsed;
}

function lookup(scope: unknown, segments: readonly Segment[], expression: string): unknown {
  let value: unknown = scope;
  const walked: string[] = [];
  for (const segment of segments) {
    walked.push(typeof segment === 'number' ? `[${segment}]` : String(segment));
    const here = value as Record<string | number, unknown> | unknown[] | null | undefined;
    const next =
      here !== null && typeof here === 'object'
        ? (here as Record<string | number, unknown>)[segment]
        : undefined;
    if (next === undefined) {
      throw new ValueFromError(expression, `${walked.join('.').replace(/\.\[/g, '[')} is not set`);
    }
    value = next;
  }
  return value;
}

/**
 * Evaluates a `valueFrom` against what a step produced (`{ output: {value: …}, parameter: … }`).
 *
 * @throws ValueFromError when a path is not set or `+` mixes strings with objects.
 * @example evaluateValueFrom('"phase: " + output.value.status.phase', scope) // "phase: Running"
 */
export function evaluateValueFrom(expression: string, scope: Readonly<Record<string, unknown>>): unknown {
  const parsed = parseValueFrom(expression);
  const values = parsed.terms.map((t) =>
    t.kind === 'literal' ? t.value : lookup(scope, t.segments, expression),
  );
  if (values.length === 1) return values[0];
  if (values.every((v) => typeof v === 'number')) return values.reduce((a, b) => a + b, 0);
  if (values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    return values.map(String).join('');
  }
  throw new ValueFromError(expression, '"+" joins strings, numbers and booleans only');
}
