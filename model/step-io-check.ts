/**
 * Publish-time checks of inputs, outputs and `if: inputs.<name>`, so a mistake is refused with
 * the object and path instead of failing a step of a recorded revision.
 *
 * Workflow-safe.
 */
import { InvalidDocumentError, isRevelaError, MissingReferenceError } from './errors.js';
import { parseStepCondition } from './step-condition.js';
import { withInputs, type StepInput, type StepOutput } from './step-io.js';
import { joinPath } from './object-path.js';
import { parseValueFrom } from './value-from.js';

interface Where {
  readonly object: string;
  /** `spec.workflow.steps[1]` or `spec.components[0]`. */
  readonly path: string;
}

/**
 * Every `valueFrom` parses and every input reads an output some step or component declares.
 *
 * @throws InvalidDocumentError at `<path>.outputs[i].valueFrom`; MissingReferenceError at `<path>.inputs[i].from`.
 */
export function checkStepIo(
  holder: { name: string; inputs?: StepInput[]; outputs?: StepOutput[] },
  at: Where,
  outputNames: ReadonlySet<string>,
): void {
  (holder.outputs ?? []).forEach((output, i) => {
    try {
      parseValueFrom(output.valueFrom);
    } catch (e) {
      throw new InvalidDocumentError(isRevelaError(e) ? e.reason : String(e), {
        object: at.object,
        path: `${at.path}.outputs[${i}].valueFrom`,
        cause: e,
      });
    }
  });
  (holder.inputs ?? []).forEach((input, i) => {
    if (!outputNames.has(input.from)) {
      throw new MissingReferenceError(
        'Output',
        input.from,
        `"${holder.name}" reads input "${input.from}", but no step or component declares an output of that name${
          outputNames.size > 0 ? ` (outputs: ${[...outputNames].sort().join(', ')})` : ''
        }`,
        { object: at.object, path: `${at.path}.inputs[${i}].from` },
      );
    }
  });
}

/**
 * `if: inputs.status == "ok"` reads the step's own inputs: each name must be one of them.
 *
 * @throws MissingReferenceError at `<path>.if`.
 */
export function checkConditionInputs(
  step: { name: string; if?: string; inputs?: StepInput[] },
  at: Where,
): void {
  if (step.if === undefined) return;
  const declared = new Set((step.inputs ?? []).map((i) => i.from));
  for (const name of parseStepCondition(step.if).inputs) {
    if (!declared.has(name)) {
      throw new MissingReferenceError(
        'Input',
        name,
        `the condition reads inputs.${name}, but step "${step.name}" has no input from "${name}" — add inputs: [{from: ${name}}]`,
        { object: at.object, path: `${at.path}.if` },
      );
    }
  }
}

/**
 * Validates a step's properties at publish, with the properties its inputs fill at run time
 * (`parameterKey`) standing in as placeholders: a required `message` that an input provides is
 * not missing. A placeholder of the right type is tried (string, number, boolean, object); the
 * real value is checked again when the step runs.
 *
 * @throws InvalidParametersError for any problem not at an input's key.
 */
export function validateStepProperties(
  validate: (properties: unknown) => unknown,
  properties: Readonly<Record<string, unknown>> | undefined,
  inputs: readonly StepInput[] | undefined,
  basePath: string,
): void {
  const keyed = (inputs ?? []).filter((i) => i.parameterKey !== undefined);
  if (keyed.length === 0) {
    validate(properties);
    return;
  }
  const inputPaths = keyed.map((i) => joinPath(basePath, `.${i.parameterKey ?? ''}`));
  let last: unknown;
  for (const placeholder of ['', 0, false, {}] as const) {
    try {
      validate(
        withInputs(properties ?? {}, keyed, Object.fromEntries(keyed.map((i) => [i.from, placeholder]))),
      );
      return;
    } catch (e) {
      const path = isRevelaError(e) ? e.path : undefined;
      if (
        path === undefined ||
        !inputPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))
      ) {
        throw e;
      }
      last = e;
    }
  }
  // No placeholder fits the schema at an input's key: the value the input brings is checked when the step runs.
  void last;
}
