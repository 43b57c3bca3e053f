/**
 * The seam between definitions and the engines that run their templates. A definition's
 * `spec.schematic` names its kind; everything that validates parameters, checks that a template
 * compiles or evaluates it goes through here, so nothing in rendering or the snapshot builder
 * knows which engine runs.
 *
 * - `jsonata`: JSON Schema parameters (ajv) and a JSONata template, compiled once per definition
 *   (see `compiledTemplate`);
 * - `cue`: KubeVela's CUE template, which declares and checks its own `parameter`, run by the CUE
 *   engine (`cue/`, WebAssembly) that is loaded on the first CUE definition (an async import, so
 *   processes that never see one never load it).
 *
 * Not workflow-safe (JSONata, ajv): call from activities and the CLI.
 */
import { definitionLabel, type ComponentDefinition, type TraitDefinition } from './definition.js';
import { TemplateError } from './errors.js';
import {
  compileExpression,
  evaluateCompiled,
  type CompiledExpression,
  type ExpressionLocation,
} from './jsonata-eval.js';
import { compileParameterSchema, validateParameters, type ParameterLocation } from './parameters.js';

/** A definition whose schematic carries a template: what components and traits are. */
export type TemplatedDefinition = ComponentDefinition | TraitDefinition;

/** The schematic kinds Revela evaluates. */
export type SchematicKind = 'jsonata' | 'cue';

/** Which engine runs the definition's template. */
export function schematicKind(definition: TemplatedDefinition): SchematicKind {
  if (definition.spec.schematic.jsonata !== undefined) return 'jsonata';
  if (definition.spec.schematic.cue !== undefined) return 'cue';
  throw new TemplateError(definition.metadata.name, 'has no schematic Revela can evaluate', {
    object: definitionLabel(definition),
    path: 'spec.schematic',
  });
}

/** The path of the template in the definition, for error messages. */
export function templatePath(definition: TemplatedDefinition): string {
  switch (schematicKind(definition)) {
    case 'jsonata':
      return 'spec.schematic.jsonata.template';
    case 'cue':
      return 'spec.schematic.cue.template';
  }
}

/** The JSONata schematic of a definition. */
function jsonataOf(definition: TemplatedDefinition): {
  parameter: Record<string, unknown>;
  template: string;
} {
  const jsonata = definition.spec.schematic.jsonata;
  if (jsonata === undefined) {
    throw new TemplateError(definition.metadata.name, 'has no JSONata template', {
      object: definitionLabel(definition),
      path: 'spec.schematic.jsonata',
    });
  }
  return jsonata;
}

// Locations by definition object: every template evaluation passes one (errors name it), and a
// render evaluates the same few definitions' templates for every component.
const locationByDefinition = new WeakMap<TemplatedDefinition, ExpressionLocation>();

/** Where the template of `definition` sits, as errors name it. The same object every call. */
export function templateLocation(definition: TemplatedDefinition): ExpressionLocation {
  const known = locationByDefinition.get(definition);
  if (known) return known;
  const location: ExpressionLocation = Object.freeze({
    definition: definition.metadata.name,
    object: definitionLabel(definition),
    path: templatePath(definition),
  });
  locationByDefinition.set(definition, location);
  return location;
}

// Compiled templates by definition object: a snapshot holds its definitions as values, and the
// same snapshot is rendered for every target, step and health check, so the identity lookup
// answers almost every call. The text cache in `jsonata-eval.ts` catches equal definitions that
// are different objects (two snapshots of one application).
const compiledByDefinition = new WeakMap<TemplatedDefinition, CompiledExpression>();

/**
 * The template of a definition, compiled once per definition.
 *
 * @throws TemplateError with the position of a syntax error.
 */
export function compiledTemplate(definition: TemplatedDefinition): CompiledExpression {
  const known = compiledByDefinition.get(definition);
  if (known) return known;
  const compiled = compileExpression(jsonataOf(definition).template, templateLocation(definition));
  compiledByDefinition.set(definition, compiled);
  return compiled;
}

/**
 * Validates properties against the definition's parameters and returns them with defaults. A CUE
 * template declares its own `parameter`: its properties are taken as given and checked (defaults
 * too) when the template runs.
 *
 * @throws InvalidParametersError naming the property.
 */
export function definitionParameters(
  definition: TemplatedDefinition,
  properties: unknown,
  at: ParameterLocation,
): Record<string, unknown> {
  if (schematicKind(definition) === 'cue') {
    return typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? { ...(properties as Record<string, unknown>) }
      : {};
  }
  return validateParameters(jsonataOf(definition).parameter, properties, at);
}

/**
 * Checks that a definition can be used at all: its parameter schema compiles, its template and
 * its status expressions parse. Run before a definition is stored and before a snapshot records it.
 *
 * @throws InvalidDocumentError for a bad schema, TemplateError for an expression that does not parse.
 */
export function checkDefinitionCompiles(definition: TemplatedDefinition): void {
  // CUE compiles in the (async) engine: see `checkDefinitionReady`; rendering compiles it too.
  if (schematicKind(definition) === 'cue') return;
  const object = definitionLabel(definition);
  const name = definition.metadata.name;
  compileParameterSchema(jsonataOf(definition).parameter, {
    object,
    path: 'spec.schematic.jsonata.parameter',
  });
  compiledTemplate(definition);
  const status = definition.spec.status;
  if (status?.healthPolicy !== undefined) {
    compileExpression(status.healthPolicy, { definition: name, object, path: 'spec.status.healthPolicy' });
  }
  if (status?.customStatus !== undefined) {
    compileExpression(status.customStatus, { definition: name, object, path: 'spec.status.customStatus' });
  }
}

/**
 * `checkDefinitionCompiles`, and for a CUE definition its template and status compiled by the
 * CUE engine: what storing a definition (`revela def apply`) checks.
 *
 * @throws as `checkDefinitionCompiles`; CueEvaluationError with the line and column.
 */
export async function checkDefinitionReady(definition: TemplatedDefinition): Promise<void> {
  checkDefinitionCompiles(definition);
  if (schematicKind(definition) === 'cue') {
    const { checkCueDefinition } = await import('../cue/definitions.js');
    await checkCueDefinition(definition);
  }
}

/**
 * Runs a definition's template over `{parameter, context}` and returns plain JSON: a component's
 * `{output, outputs}`, a trait's `{patch, outputs}`, or undefined. A CUE trait also returns
 * `patchOutputs` and the merge annotations of its patches (`patchAnnotations`,
 * `patchOutputsAnnotations`); `properties` (where the properties are written) lets CUE errors
 * about a property point at it.
 *
 * Answers synchronously when the JSONata fast path runs the template (nearly every built-in): the
 * result itself. Otherwise — CUE, or a JSONata template the fast path does not cover or gave up
 * on — a promise of the result. Results are plain JSON, so an answer that is a `Promise` is
 * always one to wait for.
 *
 * @throws TemplateError when the template does not compile. Other errors reject the promise:
 * TemplateError naming the definition and the position of the failure; for CUE
 * InvalidParametersError or CueEvaluationError.
 */
export function evaluateTemplateNow(
  definition: TemplatedDefinition,
  input: { parameter: Record<string, unknown>; context: Record<string, unknown> },
  properties?: { object: string; path: string },
): unknown {
  if (schematicKind(definition) === 'cue') return evaluateCue(definition, input, properties);
  return evaluateCompiled(compiledTemplate(definition), input, templateLocation(definition));
}

async function evaluateCue(
  definition: TemplatedDefinition,
  input: { parameter: Record<string, unknown>; context: Record<string, unknown> },
  properties?: { object: string; path: string },
): Promise<unknown> {
  const { evaluateCueTemplate } = await import('../cue/definitions.js');
  return evaluateCueTemplate(definition, input, properties);
}
