/**
 * KubeVela's CUE contract on the real CUE engine (`cue/wasm`): a definition's template is
 * compiled once per process (by its text), then every render fills `parameter` and `context`
 * and reads back what the kind of definition yields:
 * - components and policies: `output`, `outputs`;
 * - traits: `patch`, `patchOutputs`, `outputs`, with the `+patchKey` / `+patchStrategy` comments
 *   of the patches for `strategicMerge`;
 * - status: `healthPolicy` sets `isHealth`, `customStatus` sets `message`, over `context.output` /
 *   `context.outputs` (the live objects) and `parameter`;
 * - any of them: a non-empty `errs` list of strings refuses the properties.
 *
 * A conflict with, or a missing, property is an `InvalidParametersError` at the property (when
 * the caller says where the properties are written); anything else is a `CueEvaluationError`
 * with the definition, the CUE field and the line and column.
 *
 * Activities and the CLI only: never import this from workflow code.
 */
import { createHash } from 'node:crypto';
import type { CueWasmOptions } from '../dev/cue-wasm.js';
import { CueEvaluationError, InvalidParametersError, type CuePosition } from '../model/errors.js';
import { joinPath } from '../model/object-path.js';
import type { PatchAnnotation } from '../model/strategic-merge.js';
import { cueWasm, type CueWasmApi, type WasmAnnotation, type WasmProblem } from './wasm-runtime.js';

/** Where the CUE of a definition is written, as errors name it. */
export const CUE_TEMPLATE_PATH = 'spec.schematic.cue.template';
export const CUE_HEALTH_POLICY_PATH = 'spec.status.healthPolicy';
export const CUE_CUSTOM_STATUS_PATH = 'spec.status.customStatus';

/** The definition a CUE source belongs to. */
export interface CueDefinitionRef {
  /** `my-webservice`: the type an application names. */
  readonly definition: string;
  /** `ComponentDefinition vela-system/my-webservice`: how errors name the definition. */
  readonly object: string;
}

/** Where the properties fed to `parameter` are written, for errors about them. */
export interface PropertiesLocation {
  /** `Application examples/shop`. */
  readonly object: string;
  /** `spec.components[0].properties`. */
  readonly path: string;
}

export interface CueRenderInput extends CueDefinitionRef {
  readonly template: string;
  readonly parameter: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  readonly properties?: PropertiesLocation;
}

export interface CueComponentResult {
  readonly output?: unknown;
  readonly outputs?: Record<string, unknown>;
}

export interface CueTraitResult {
  readonly patch?: unknown;
  /** How fields of `patch` merge (paths relative to the patch). */
  readonly patchAnnotations: PatchAnnotation[];
  /** Patches of outputs, by output name. */
  readonly patchOutputs?: Record<string, unknown>;
  /** How fields of each `patchOutputs` entry merge, by output name. */
  readonly patchOutputsAnnotations: Record<string, PatchAnnotation[]>;
  readonly outputs?: Record<string, unknown>;
}

export interface CueStatusInput extends CueDefinitionRef {
  /** CUE setting `isHealth: bool`. */
  readonly healthPolicy?: string;
  /** CUE setting `message: string`. */
  readonly customStatus?: string;
  readonly parameter: Record<string, unknown>;
  /** `output` and `outputs` are the live objects; the rest as for rendering. */
  readonly context: Record<string, unknown>;
}

export interface CueStatusResult {
  /** Undefined without a health policy. */
  readonly isHealth?: boolean;
  /** Undefined without a custom status. */
  readonly message?: string;
}

/** Compiled sources kept per process; a long-lived worker sees definitions change over time. */
const MAX_COMPILED = 256;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** CUE's summary lines ("2 errors in empty disjunction:") say less than the lines after them. */
function reasonOf(problems: readonly WasmProblem[]): string {
  const detailed = problems.filter((p) => !p.message.endsWith(':'));
  const messages = (detailed.length > 0 ? detailed : problems).map((p) => p.message);
  return [...new Set(messages)].join('; ');
}

function positionIn(problems: readonly WasmProblem[], file: string): CuePosition | undefined {
  for (const p of problems) {
    const found = p.positions?.find((pos) => pos.file === file);
    if (found) return { line: found.line, column: found.column };
  }
  return undefined;
}

/** `parameter.ports.0.port` → `ports[0].port`. */
function propertyPath(cuePath: string): string {
  const parts = cuePath.split('.').slice(1);
  return joinPath('', ...parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
}

/** The CUE engine of this process; {@link cueEngine} gives the shared one. */
export class CueEngine {
  private readonly compiled = new Map<string, number>();

  constructor(private readonly api: CueWasmApi) {}

  /** The cuelang.org/go version evaluating. */
  get version(): string {
    return this.api.version;
  }

  /**
   * Compiles one CUE source of a definition (its template, or a status field), once per text.
   *
   * @throws CueEvaluationError with the line and column of a syntax or reference error.
   */
  compileDefinition(ref: CueDefinitionRef, source: string, field: string = CUE_TEMPLATE_PATH): number {
    const key = sha256(`${field}\0${source}`);
    const known = this.compiled.get(key);
    if (known !== undefined) {
      this.compiled.delete(key);
      this.compiled.set(key, known);
      return known;
    }
    const result = this.api.compile(field, source);
    if ('errors' in result) throw this.failure(ref, field, result.errors);
    this.compiled.set(key, result.handle);
    if (this.compiled.size > MAX_COMPILED) {
      const [oldestKey, oldest] = this.compiled.entries().next().value as [string, number];
      this.compiled.delete(oldestKey);
      this.api.release(oldest);
    }
    return result.handle;
  }

  /** `output` and `outputs` of a component (or policy) template. */
  renderComponent(input: CueRenderInput): CueComponentResult {
    const { values } = this.evaluate(input, ['output', 'outputs'], []);
    const outputs = values.outputs === undefined ? undefined : this.named(input, values.outputs, 'outputs');
    return { output: values.output, ...(outputs ? { outputs } : {}) };
  }

  /** `patch`, `patchOutputs` and `outputs` of a trait template, with the patches' annotations. */
  renderTrait(input: CueRenderInput): CueTraitResult {
    const { values, annotations } = this.evaluate(
      input,
      ['patch', 'patchOutputs', 'outputs'],
      ['patch', 'patchOutputs'],
    );
    const patchOutputs =
      values.patchOutputs === undefined ? undefined : this.named(input, values.patchOutputs, 'patchOutputs');
    const outputs = values.outputs === undefined ? undefined : this.named(input, values.outputs, 'outputs');
    const byOutput: Record<string, PatchAnnotation[]> = {};
    for (const a of annotations.patchOutputs ?? []) {
      const [name, ...path] = a.path;
      if (name !== undefined && path.length > 0) (byOutput[name] ??= []).push({ ...a, path });
    }
    return {
      ...(values.patch !== undefined ? { patch: values.patch } : {}),
      patchAnnotations: annotations.patch ?? [],
      ...(patchOutputs ? { patchOutputs } : {}),
      patchOutputsAnnotations: byOutput,
      ...(outputs ? { outputs } : {}),
    };
  }

  /**
   * Evaluates a definition's `healthPolicy` and `customStatus` over the live objects.
   *
   * @throws CueEvaluationError when `isHealth` is not a boolean or `message` not a string.
   */
  evaluateStatus(input: CueStatusInput): CueStatusResult {
    let isHealth: boolean | undefined;
    let message: string | undefined;
    if (input.healthPolicy !== undefined) {
      const { values } = this.evaluate(
        { ...input, template: input.healthPolicy },
        ['isHealth'],
        [],
        CUE_HEALTH_POLICY_PATH,
      );
      if (typeof values.isHealth !== 'boolean') {
        throw new CueEvaluationError(
          input.definition,
          `must set isHealth to true or false, got ${JSON.stringify(values.isHealth) ?? 'nothing'}`,
          { object: input.object, path: CUE_HEALTH_POLICY_PATH, cuePath: 'isHealth' },
        );
      }
      isHealth = values.isHealth;
    }
    if (input.customStatus !== undefined) {
      const { values } = this.evaluate(
        { ...input, template: input.customStatus },
        ['message'],
        [],
        CUE_CUSTOM_STATUS_PATH,
      );
      if (values.message !== undefined && typeof values.message !== 'string') {
        throw new CueEvaluationError(
          input.definition,
          `must set message to a string, got ${JSON.stringify(values.message)}`,
          { object: input.object, path: CUE_CUSTOM_STATUS_PATH, cuePath: 'message' },
        );
      }
      message = values.message ?? '';
    }
    return { ...(isHealth !== undefined ? { isHealth } : {}), ...(message !== undefined ? { message } : {}) };
  }

  private evaluate(
    input: CueRenderInput,
    fields: readonly string[],
    annotate: readonly string[],
    field: string = CUE_TEMPLATE_PATH,
  ): { values: Record<string, unknown>; annotations: Record<string, WasmAnnotation[]> } {
    const handle = this.compileDefinition(input, input.template, field);
    // `parameter` is read first and must be concrete: a missing property is reported as the
    // property, not as the output field that used it. `errs` is the template's own validation.
    const result = this.api.evaluate(handle, {
      fill: { parameter: input.parameter, context: input.context },
      check: ['parameter'],
      select: ['errs', ...fields],
      annotate,
    });
    if (result.errors !== undefined && result.errors.length > 0)
      throw this.failure(input, field, result.errors);
    const values = result.values ?? {};
    const errs = values.errs;
    if (Array.isArray(errs) && errs.length > 0) {
      const reason = errs.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
      if (input.properties) throw new InvalidParametersError(input.definition, reason, input.properties);
      throw new CueEvaluationError(input.definition, reason, {
        object: input.object,
        path: field,
        cuePath: 'errs',
      });
    }
    return { values, annotations: result.annotations ?? {} };
  }

  private named(ref: CueRenderInput, value: unknown, field: string): Record<string, unknown> {
    const named = record(value);
    if (named === undefined) {
      throw new CueEvaluationError(
        ref.definition,
        `must be a struct of named objects, got ${JSON.stringify(value)}`,
        {
          object: ref.object,
          path: CUE_TEMPLATE_PATH,
          cuePath: field,
        },
      );
    }
    return named;
  }

  private failure(
    input: CueDefinitionRef & { properties?: PropertiesLocation },
    field: string,
    problems: readonly WasmProblem[],
  ): Error {
    const reason = reasonOf(problems);
    const cuePath = problems.find((p) => p.path)?.path ?? '';
    const aboutProperties =
      cuePath === 'parameter' ||
      cuePath.startsWith('parameter.') ||
      problems.some((p) => p.positions?.some((pos) => pos.file === 'parameter'));
    if (aboutProperties && input.properties) {
      const sub = cuePath.startsWith('parameter.') ? propertyPath(cuePath) : '';
      return new InvalidParametersError(input.definition, reason, {
        object: input.properties.object,
        path: joinPath(input.properties.path, sub === '' ? '' : `.${sub}`),
      });
    }
    const position = positionIn(problems, field);
    return new CueEvaluationError(input.definition, reason, {
      object: input.object,
      path: field,
      ...(position ? { position } : {}),
      ...(cuePath !== '' ? { cuePath } : {}),
      ...(input.properties ? { application: `${input.properties.object} ${input.properties.path}` } : {}),
    });
  }
}

let shared: Promise<CueEngine> | undefined;

/**
 * The CUE engine of this process, started on first use (which may build the `.wasm`, see
 * `dev/cue-wasm.ts`).
 *
 * @throws CueWasmUnavailableError when the evaluator can be neither found nor built.
 */
export function cueEngine(options: CueWasmOptions = {}): Promise<CueEngine> {
  shared ??= cueWasm(options).then(
    (api) => new CueEngine(api),
    (err: unknown) => {
      shared = undefined;
      throw err;
    },
  );
  return shared;
}

/** Compiles a definition's template with the shared engine (checks it before it is stored). */
export async function compileDefinition(ref: CueDefinitionRef, template: string): Promise<void> {
  (await cueEngine()).compileDefinition(ref, template);
}

export async function renderComponent(input: CueRenderInput): Promise<CueComponentResult> {
  return (await cueEngine()).renderComponent(input);
}

export async function renderTrait(input: CueRenderInput): Promise<CueTraitResult> {
  return (await cueEngine()).renderTrait(input);
}

export async function evaluateStatus(input: CueStatusInput): Promise<CueStatusResult> {
  return (await cueEngine()).evaluateStatus(input);
}
