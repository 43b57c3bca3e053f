/**
 * Values passed between steps (KubeVela's `outputs: [{name, valueFrom}]` and
 * `inputs: [{from, parameterKey}]`): an output is computed from what its step produced and
 * recorded in the step's status; an input reads a recorded output by name and, with a
 * `parameterKey`, writes it into the step's properties before the step runs.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { schema } from './schema-cache.js';
import { jsonClone } from './json-clone.js';
import type { RevisionSnapshot } from './snapshot.js';
import { evaluateValueFrom } from './value-from.js';

export const StepOutputSchema = schema('step-io/StepOutputSchema', () =>
  z.strictObject({
    /** The name later steps read it by (`from`). */
    name: z.string().min(1),
    /** What to take, e.g. `output.value.status.phase` (see `model/value-from.ts`). */
    valueFrom: z.string().min(1),
  }),
);
export type StepOutput = z.infer<typeof StepOutputSchema>;

export const StepInputSchema = schema('step-io/StepInputSchema', () =>
  z.strictObject({
    /** The name of an output of an earlier step or a component. */
    from: z.string().min(1),
    /** Where it goes in the properties, e.g. `slack.message.text` or `env[0].value`. */
    parameterKey: z.string().min(1).optional(),
  }),
);
export type StepInput = z.infer<typeof StepInputSchema>;

/** Why an input could not be given to its step; the step fails with this reason. */
export class StepInputError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StepInputError';
  }
}

/** `a.b[0].c` or `a["x.y"]` as path segments. */
export function parameterKeySegments(key: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g;
  for (const m of key.matchAll(pattern)) {
    if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(m[3]);
    else if (m[1] !== undefined) segments.push(m[1]);
  }
  return segments;
}

function setAt(
  target: Record<string, unknown>,
  segments: readonly (string | number)[],
  value: unknown,
): void {
  let here: Record<string | number, unknown> | unknown[] = target;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const container = here as Record<string | number, unknown>;
    if (last) {
      container[segment] = jsonClone(value);
      return;
    }
    const nextIsIndex = typeof segments[i + 1] === 'number';
    const existing = container[segment];
    if (existing === null || typeof existing !== 'object') container[segment] = nextIsIndex ? [] : {};
    here = container[segment] as Record<string | number, unknown>;
  });
}

/**
 * The properties with each input written at its `parameterKey`. Inputs without a key only make
 * the value readable by `if: inputs.<from>`.
 *
 * @throws StepInputError when an input names an output no step has recorded.
 */
export function withInputs(
  properties: Readonly<Record<string, unknown>>,
  inputs: readonly StepInput[],
  outputs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out = jsonClone(properties) as Record<string, unknown>;
  for (const input of inputs) {
    if (!(input.from in outputs)) {
      throw new StepInputError(
        `input "${input.from}" has no value: no step or component before this one recorded an output of that name`,
      );
    }
    if (input.parameterKey !== undefined)
      setAt(out, parameterKeySegments(input.parameterKey), outputs[input.from]);
  }
  return out;
}

/** The values of a step's inputs by name, for `if: inputs.<name>`. */
export function inputValues(
  inputs: readonly StepInput[],
  outputs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return Object.fromEntries(inputs.filter((i) => i.from in outputs).map((i) => [i.from, outputs[i.from]]));
}

/**
 * A step's outputs, evaluated against what it produced.
 *
 * @throws ValueFromError naming the expression and the path that is not set.
 */
export function evaluateOutputs(
  outputs: readonly StepOutput[],
  scope: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const output of outputs) values[output.name] = evaluateValueFrom(output.valueFrom, scope);
  return values;
}

/**
 * The snapshot with every component's inputs written into its properties (KubeVela's component
 * `inputs`). The same snapshot object when no component has inputs, so runs without them render
 * exactly as before.
 *
 * @throws StepInputError naming the component and the missing output.
 */
export function snapshotWithInputs(
  snapshot: RevisionSnapshot,
  outputs: Readonly<Record<string, unknown>>,
  step: string,
): RevisionSnapshot {
  const components = snapshot.application.spec.components;
  if (!components.some((c) => (c.inputs ?? []).length > 0)) return snapshot;
  const patched = components.map((c) => {
    if (!c.inputs || c.inputs.length === 0) return c;
    const missing = c.inputs.find((i) => !(i.from in outputs));
    if (missing) {
      throw new StepInputError(
        `component ${c.name} reads input "${missing.from}", which no step before ${step} recorded`,
      );
    }
    // KubeVela's parameterKey is relative to the component's properties (`env[0].value`),
    // written as `properties.env[0].value` too.
    const inputs = c.inputs.map((i) =>
      i.parameterKey?.startsWith('properties.')
        ? { ...i, parameterKey: i.parameterKey.slice('properties.'.length) }
        : i,
    );
    return { ...c, properties: withInputs(c.properties ?? {}, inputs, outputs) };
  });
  return {
    ...snapshot,
    application: { ...snapshot.application, spec: { ...snapshot.application.spec, components: patched } },
  };
}
