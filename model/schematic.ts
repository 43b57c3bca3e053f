/**
 * The seam between definitions and the engines that run their templates. A definition's
 * `spec.schematic` names its kind; everything that validates parameters, checks that a template
 * compiles or evaluates it goes through here, so a second kind (KubeVela's `cue`) is one more
 * case in these functions and nothing in rendering or the snapshot builder changes.
 *
 * Today every component and trait definition is `jsonata`: JSON Schema parameters (ajv) and a
 * JSONata template, compiled once per definition (see `compiledTemplate`).
 *
 * Not workflow-safe (JSONata, ajv): call from activities and the CLI.
 */
import type jsonata from 'jsonata';
import { definitionLabel, type ComponentDefinition, type TraitDefinition } from './definition.js';
import { TemplateError } from './errors.js';
import { compileExpression, evaluateCompiled, type ExpressionLocation } from './jsonata-eval.js';
import { compileParameterSchema, validateParameters, type ParameterLocation } from './parameters.js';

/** A definition whose schematic carries a template: what components and traits are. */
export type TemplatedDefinition = ComponentDefinition | TraitDefinition;

/** The schematic kinds Revela evaluates. */
export type SchematicKind = 'jsonata';

/** Which engine runs the definition's template. */
export function schematicKind(definition: TemplatedDefinition): SchematicKind {
  // The schema admits only `jsonata` today; a `cue` schematic adds its case here.
  if (definition.spec.schematic.jsonata !== undefined) return 'jsonata';
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
  }
}

/** Where the template of `definition` sits, as errors name it. */
export function templateLocation(definition: TemplatedDefinition): ExpressionLocation {
  return {
    definition: definition.metadata.name,
    object: definitionLabel(definition),
    path: templatePath(definition),
  };
}

// Compiled templates by definition object: a snapshot holds its definitions as values, and the
// same snapshot is rendered for every target, step and health check, so the identity lookup
// answers almost every call. The text cache in `jsonata-eval.ts` catches equal definitions that
// are different objects (two snapshots of one application).
const compiledByDefinition = new WeakMap<TemplatedDefinition, jsonata.Expression>();

/**
 * The template of a definition, compiled once per definition.
 *
 * @throws TemplateError with the position of a syntax error.
 */
export function compiledTemplate(definition: TemplatedDefinition): jsonata.Expression {
  const known = compiledByDefinition.get(definition);
  if (known) return known;
  const compiled = compileExpression(
    definition.spec.schematic.jsonata.template,
    templateLocation(definition),
  );
  compiledByDefinition.set(definition, compiled);
  return compiled;
}

/**
 * Validates properties against the definition's parameters and returns them with defaults.
 *
 * @throws InvalidParametersError naming the property.
 */
export function definitionParameters(
  definition: TemplatedDefinition,
  properties: unknown,
  at: ParameterLocation,
): Record<string, unknown> {
  return validateParameters(definition.spec.schematic.jsonata.parameter, properties, at);
}

/**
 * Checks that a definition can be used at all: its parameter schema compiles, its template and
 * its status expressions parse. Run before a definition is stored and before a snapshot records it.
 *
 * @throws InvalidDocumentError for a bad schema, TemplateError for an expression that does not parse.
 */
export function checkDefinitionCompiles(definition: TemplatedDefinition): void {
  const object = definitionLabel(definition);
  const name = definition.metadata.name;
  compileParameterSchema(definition.spec.schematic.jsonata.parameter, {
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
 * Runs a definition's template over `{parameter, context}` and returns plain JSON: a component's
 * `{output, outputs}`, a trait's `{patch, outputs}`, or undefined.
 *
 * @throws TemplateError naming the definition and the position of the failure.
 */
export async function evaluateTemplate(
  definition: TemplatedDefinition,
  input: { parameter: Record<string, unknown>; context: Record<string, unknown> },
): Promise<unknown> {
  return evaluateCompiled(compiledTemplate(definition), input, templateLocation(definition));
}
