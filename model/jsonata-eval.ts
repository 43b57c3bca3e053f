/**
 * Compiles and evaluates the JSONata expressions of definitions (templates, health policies,
 * custom status), turning JSONata's errors into {@link TemplateError} with definition, position
 * and token. Compiled expressions are cached by text; each evaluation gets its own frame, so
 * concurrent evaluations of one expression do not interfere.
 *
 * Each expression is also compiled to synchronous closures (`jsonata-compile.ts`), which give
 * `jsonata`'s result without its per-node awaits; expressions the compiler does not cover, and
 * every evaluation the closures give up on (all errors among them), run through `jsonata` itself.
 *
 * Not workflow-safe (JSONata evaluation is async and may read the clock).
 */
import jsonata from 'jsonata';
import { TemplateError } from './errors.js';
import { compileJsonata, type FastExpression } from './jsonata-compile.js';
import { TEMPLATE_FUNCTIONS } from './template-functions.js';

/** Where an expression comes from, for error messages. */
export interface ExpressionLocation {
  /** Definition name, e.g. `webservice`. */
  definition: string;
  /** `ComponentDefinition webservice`. */
  object: string;
  /** `spec.schematic.jsonata.template`, `spec.status.healthPolicy`. */
  path: string;
}

export interface EvaluateOptions {
  /**
   * Templates must render the same objects every time: `$now()`, `$millis()` and `$random()`
   * fail when this is set. @default true
   */
  deterministic?: boolean;
  /** Evaluation time limit in milliseconds. @default 2000 */
  timeoutMs?: number;
}

interface JsonataErrorLike {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

/** A parsed expression: `jsonata`'s, and the compiled fast path when there is one. */
export interface CompiledExpression {
  readonly expression: string;
  readonly jsonata: jsonata.Expression;
  /** `undefined` when the expression uses something the fast path does not reproduce. */
  readonly fast: FastExpression | undefined;
}

const cache = new Map<string, CompiledExpression>();
const CACHE_LIMIT = 2000;
const STACK_LIMIT = 500;

function toTemplateError(e: unknown, at: ExpressionLocation, prefix: string): TemplateError {
  if (e instanceof TemplateError) return e;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as JsonataErrorLike;
  const location: ConstructorParameters<typeof TemplateError>[2] = {
    object: at.object,
    path: at.path,
    cause: e,
  };
  if (typeof err.position === 'number') location.position = err.position;
  if (typeof err.token === 'string') location.token = err.token;
  if (typeof err.code === 'string') location.code = err.code;
  const code = typeof err.code === 'string' ? ` (${err.code})` : '';
  return new TemplateError(at.definition, `${prefix}${err.message ?? 'JSONata error'}${code}`, location);
}

/**
 * Parses an expression (cached).
 *
 * @throws TemplateError with the position of the syntax error.
 */
export function compileExpression(
  expression: string,
  at: ExpressionLocation,
  timeoutMs = 2000,
): CompiledExpression {
  const key = `${timeoutMs}\u0000${expression}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let parsed: jsonata.Expression;
  try {
    parsed = jsonata(expression, { timeout: timeoutMs, stack: STACK_LIMIT });
  } catch (e) {
    throw toTemplateError(e, at, 'does not parse: ');
  }
  const compiled = { expression, jsonata: parsed, fast: compileJsonata(parsed.ast(), timeoutMs) };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

function forbidden(name: string): () => never {
  return () => {
    // JSONata reports thrown objects with code/message like its own errors.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw {
      code: 'R0001',
      message: `${name}() is not allowed in templates: rendering must give the same objects every time`,
    };
  };
}

const DETERMINISTIC_BINDINGS = {
  ...TEMPLATE_FUNCTIONS,
  now: forbidden('$now'),
  millis: forbidden('$millis'),
  random: forbidden('$random'),
};

/**
 * Evaluates an expression over `input` and returns plain JSON (JSONata sequences become arrays;
 * functions are dropped). `undefined` when the expression yields nothing.
 *
 * @throws TemplateError with code, position and token of the failure.
 */
export async function evaluateExpression(
  expression: string,
  input: unknown,
  at: ExpressionLocation,
  options: EvaluateOptions = {},
): Promise<unknown> {
  // Awaited: `evaluateCompiled` answers synchronously when it can; this always gives a promise.
  return await evaluateCompiled(
    compileExpression(expression, at, options.timeoutMs ?? 2000),
    input,
    at,
    options,
  );
}

function bindingsFor(options: EvaluateOptions): Readonly<Record<string, unknown>> {
  return options.deterministic === false ? TEMPLATE_FUNCTIONS : DETERMINISTIC_BINDINGS;
}

/**
 * Evaluates an already compiled expression (see `compileExpression`), as `evaluateExpression`,
 * but answers synchronously when it can: the fast path's result itself, or — when the expression
 * has no fast path or the fast path gave up — a promise of `jsonata`'s. `await` the answer unless
 * the caller gains from a synchronous one (a render of many components, see `render-steps.ts`);
 * results are plain JSON, so an answer that is a `Promise` is always `jsonata`'s. Never throws:
 * errors reject the promise.
 *
 * @throws (rejects with) TemplateError with code, position and token of the failure.
 */
export function evaluateCompiled(
  compiled: CompiledExpression,
  input: unknown,
  at: ExpressionLocation,
  options: EvaluateOptions = {},
): unknown {
  const bindings = bindingsFor(options);
  if (compiled.fast !== undefined) {
    try {
      return compiled.fast.evaluate(input, bindings);
    } catch {
      // The fast path gives up on whatever it might not reproduce exactly, errors included:
      // `jsonata` decides, so results, error codes, positions and tokens are its own.
    }
  }
  return evaluateWithJsonata(compiled, input, at, bindings);
}

async function evaluateWithJsonata(
  compiled: CompiledExpression,
  input: unknown,
  at: ExpressionLocation,
  bindings: Readonly<Record<string, unknown>>,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await compiled.jsonata.evaluate(input, bindings);
  } catch (e) {
    throw toTemplateError(e, at, 'fails: ');
  }
  if (result === undefined) return undefined;
  return JSON.parse(JSON.stringify(result)) as unknown;
}
