/**
 * Step conditions (`if:`) in KubeVela's syntax: `always`, `status.<step>.failed` (also
 * `succeeded`, `skipped`, `timeout`, `finished`), `status["step-name"].phase == "failed"`,
 * `status.<step>.reason != "Timeout"`, the step's inputs (`inputs.status == "ok"`,
 * `inputs["ready"]`), combined with `!`, `&&`, `||` and parentheses.
 *
 * Workflow-safe: a small hand-written parser, no evaluation of arbitrary code.
 */
import { InvalidDocumentError } from './errors.js';

export type StepPhaseValue = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'suspending';

/** What a condition may read about another step. */
export interface StepConditionStatus {
  phase: StepPhaseValue;
  reason?: string;
}

/** The reason KubeVela records on a step that ran out of time. */
export const STEP_REASON_TIMEOUT = 'Timeout';

const BOOLEAN_FIELDS = ['failed', 'succeeded', 'skipped', 'timeout', 'finished'] as const;
const STRING_FIELDS = ['phase', 'reason'] as const;
type BooleanField = (typeof BOOLEAN_FIELDS)[number];
type StringField = (typeof STRING_FIELDS)[number];

type Node =
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'status'; step: string; field: BooleanField | StringField }
  | { kind: 'input'; name: string }
  | { kind: 'not'; operand: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'eq' | 'ne'; left: Node; right: Node };

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'op'; v: '!' | '&&' | '||' | '==' | '!=' | '(' | ')' | '.' | '[' | ']'; at: number }
  | { t: 'end'; at: number };

/** A parsed condition, reusable across evaluations. */
export interface StepCondition {
  readonly expression: string;
  /** Steps the condition reads, in order of appearance. */
  readonly steps: readonly string[];
  /** Inputs the condition reads (`inputs.<name>`), in order of appearance. */
  readonly inputs: readonly string[];
  readonly evaluate: (
    statuses: Readonly<Record<string, StepConditionStatus>>,
    inputs?: Readonly<Record<string, unknown>>,
  ) => boolean;
}

function fail(expression: string, at: number, reason: string): never {
  throw new InvalidDocumentError(`invalid condition "${expression}" at position ${at}: ${reason}`, {
    path: 'if',
  });
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = expression.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=') {
      tokens.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if (c === '!' || c === '(' || c === ')' || c === '.' || c === '[' || c === ']') {
      tokens.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < expression.length && expression.charAt(j) !== c) {
        if (expression.charAt(j) === '\\' && j + 1 < expression.length) j++;
        value += expression.charAt(j);
        j++;
      }
      if (j >= expression.length) fail(expression, i, 'unterminated string');
      tokens.push({ t: 'string', v: value, at: i });
      i = j + 1;
      continue;
    }
    const ident = /^[A-Za-z_][\w-]*/.exec(expression.slice(i));
    if (ident) {
      tokens.push({ t: 'ident', v: ident[0], at: i });
      i += ident[0].length;
      continue;
    }
    fail(expression, i, `unexpected character "${c}"`);
  }
  tokens.push({ t: 'end', at: expression.length });
  return tokens;
}

class Parser {
  private pos = 0;
  readonly steps: string[] = [];
  readonly inputs: string[] = [];

  constructor(
    private readonly expression: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { t: 'end', at: this.expression.length };
  }

  private next(): Token {
    const token = this.peek();
    this.pos++;
    return token;
  }

  private isOp(v: string): boolean {
    const token = this.peek();
    return token.t === 'op' && token.v === v;
  }

  private expectOp(v: string): void {
    const token = this.next();
    if (token.t !== 'op' || token.v !== v) fail(this.expression, token.at, `expected "${v}"`);
  }

  parse(): Node {
    const node = this.or();
    const token = this.peek();
    if (token.t !== 'end') fail(this.expression, token.at, 'unexpected text after the condition');
    this.requireBoolean(node, 0);
    return node;
  }

  private requireBoolean(node: Node, at: number): void {
    if (
      node.kind === 'string' ||
      (node.kind === 'status' && (STRING_FIELDS as readonly string[]).includes(node.field))
    ) {
      fail(this.expression, at, 'a condition must be true or false; compare strings with == or !=');
    }
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||')) {
      const at = this.next().at;
      const right = this.and();
      this.requireBoolean(left, at);
      this.requireBoolean(right, at);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.isOp('&&')) {
      const at = this.next().at;
      const right = this.unary();
      this.requireBoolean(left, at);
      this.requireBoolean(right, at);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('!')) {
      const at = this.next().at;
      const operand = this.unary();
      this.requireBoolean(operand, at);
      return { kind: 'not', operand };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.primary();
    if (this.isOp('==') || this.isOp('!=')) {
      const token = this.next();
      const right = this.primary();
      return { kind: token.t === 'op' && token.v === '==' ? 'eq' : 'ne', left, right };
    }
    return left;
  }

  private primary(): Node {
    const token = this.next();
    if (token.t === 'op' && token.v === '(') {
      const node = this.or();
      this.expectOp(')');
      return node;
    }
    if (token.t === 'string') return { kind: 'string', value: token.v };
    if (token.t === 'ident') {
      if (token.v === 'always' || token.v === 'true') return { kind: 'bool', value: true };
      if (token.v === 'false') return { kind: 'bool', value: false };
      if (token.v === 'status') return this.statusRef();
      if (token.v === 'inputs') return this.inputRef();
      fail(
        this.expression,
        token.at,
        `unknown name "${token.v}"; use always, inputs.<name> or status.<step>.<failed|succeeded|skipped|timeout|finished|phase|reason>`,
      );
    }
    fail(
      this.expression,
      token.at,
      token.t === 'end'
        ? 'the condition ends too early'
        : 'expected always, status.<step>.<field>, a string or "("',
    );
  }

  private inputRef(): Node {
    let name: string;
    if (this.isOp('[')) {
      this.next();
      const token = this.next();
      if (token.t !== 'string') fail(this.expression, token.at, 'expected a quoted input name');
      name = token.v;
      this.expectOp(']');
    } else {
      this.expectOp('.');
      const token = this.next();
      if (token.t !== 'ident') fail(this.expression, token.at, 'expected an input name after inputs.');
      name = token.v;
    }
    if (!this.inputs.includes(name)) this.inputs.push(name);
    return { kind: 'input', name };
  }

  private statusRef(): Node {
    let step: string;
    if (this.isOp('[')) {
      this.next();
      const name = this.next();
      if (name.t !== 'string') fail(this.expression, name.at, 'expected a quoted step name');
      step = name.v;
      this.expectOp(']');
    } else {
      this.expectOp('.');
      const name = this.next();
      if (name.t !== 'ident') fail(this.expression, name.at, 'expected a step name');
      step = name.v;
    }
    this.expectOp('.');
    const field = this.next();
    const fields: readonly string[] = [...BOOLEAN_FIELDS, ...STRING_FIELDS];
    if (field.t !== 'ident' || !fields.includes(field.v)) {
      fail(this.expression, field.at, `expected one of ${fields.join(', ')} after status.${step}`);
    }
    if (!this.steps.includes(step)) this.steps.push(step);
    return { kind: 'status', step, field: field.v as BooleanField | StringField };
  }
}

function statusValue(
  status: StepConditionStatus | undefined,
  field: BooleanField | StringField,
): boolean | string {
  const phase = status?.phase ?? 'pending';
  switch (field) {
    case 'failed':
      return phase === 'failed';
    case 'succeeded':
      return phase === 'succeeded';
    case 'skipped':
      return phase === 'skipped';
    case 'timeout':
      return phase === 'failed' && status?.reason === STEP_REASON_TIMEOUT;
    case 'finished':
      return phase === 'succeeded' || phase === 'failed' || phase === 'skipped';
    case 'phase':
      return phase;
    case 'reason':
      return status?.reason ?? '';
  }
}

type Inputs = Readonly<Record<string, unknown>>;

/** An input compares as its string form (KubeVela outputs are often numbers or booleans). */
function inputValue(inputs: Inputs, name: string): boolean | string {
  const value = inputs[name];
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function evaluateNode(
  node: Node,
  statuses: Readonly<Record<string, StepConditionStatus>>,
  inputs: Inputs,
): boolean | string {
  const ev = (n: Node) => evaluateNode(n, statuses, inputs);
  switch (node.kind) {
    case 'bool':
    case 'string':
      return node.value;
    case 'status':
      return statusValue(statuses[node.step], node.field);
    case 'input':
      return inputValue(inputs, node.name);
    case 'not':
      return ev(node.operand) !== true;
    case 'and':
      return ev(node.left) === true && ev(node.right) === true;
    case 'or':
      return ev(node.left) === true || ev(node.right) === true;
    case 'eq':
      return ev(node.left) === ev(node.right);
    case 'ne':
      return ev(node.left) !== ev(node.right);
  }
}

const cache = new Map<string, StepCondition>();

/**
 * Parses a condition (cached).
 *
 * @throws InvalidDocumentError (path `if`) with the position of the problem.
 */
export function parseStepCondition(expression: string): StepCondition {
  const cached = cache.get(expression);
  if (cached) return cached;
  const parser = new Parser(expression, tokenize(expression));
  const root = parser.parse();
  const condition: StepCondition = {
    expression,
    steps: parser.steps,
    inputs: parser.inputs,
    evaluate: (statuses, inputs = {}) => evaluateNode(root, statuses, inputs) === true,
  };
  if (cache.size > 1000) cache.clear();
  cache.set(expression, condition);
  return condition;
}

/**
 * Whether a step with this `if` should run, given the statuses of the other steps. Steps not in
 * `statuses` count as pending.
 *
 * @throws InvalidDocumentError when the expression does not parse (snapshots are validated, so a
 *   revision never gets here with a bad condition).
 * @example evaluateStepCondition('status.deploy-a.failed', { 'deploy-a': { phase: 'failed' } }) // true
 */
export function evaluateStepCondition(
  expression: string,
  statuses: Readonly<Record<string, StepConditionStatus>>,
  inputs: Readonly<Record<string, unknown>> = {},
): boolean {
  return parseStepCondition(expression).evaluate(statuses, inputs);
}
