/**
 * Definitions with KubeVela's `spec.schematic.cue` as the model's rendering seam
 * (`model/schematic.ts`) sees them: evaluate a component, trait or policy template into the same
 * plain JSON shapes a JSONata template returns, check a definition compiles before it is stored,
 * and evaluate a CUE status. Typed structurally, so this file depends on no schema version.
 *
 * Activities and the CLI only: never import this from workflow code.
 */
import {
  CUE_CUSTOM_STATUS_PATH,
  CUE_HEALTH_POLICY_PATH,
  CUE_TEMPLATE_PATH,
  cueEngine,
  type CueDefinitionRef,
  type CueStatusResult,
  type PropertiesLocation,
} from './engine.js';

/** The part of a definition the CUE engine reads. */
export interface CueDefinitionLike {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: {
    readonly schematic: { readonly cue?: { readonly template: string } };
    readonly status?: { readonly healthPolicy?: string; readonly customStatus?: string };
  };
}

/** True when the definition's schematic is CUE. */
export function isCueDefinition(definition: {
  spec: { schematic: object };
}): definition is CueDefinitionLike & { spec: { schematic: { cue: { template: string } } } } {
  const cue = (definition.spec.schematic as { cue?: { template?: unknown } }).cue;
  return typeof cue?.template === 'string';
}

function refOf(definition: CueDefinitionLike): CueDefinitionRef {
  const ns = definition.metadata.namespace;
  return {
    definition: definition.metadata.name,
    object: `${definition.kind} ${ns === undefined ? '' : `${ns}/`}${definition.metadata.name}`,
  };
}

function templateOf(definition: CueDefinitionLike): string {
  const template = definition.spec.schematic.cue?.template;
  if (template === undefined) throw new Error(`${refOf(definition).object} has no CUE template`);
  return template;
}

/**
 * KubeVela's context beside what the renderer gives (`name`, `appName`, `namespace`,
 * `appRevision`, `cluster`, and `output`/`outputs` for traits): `appRevisionNum` from the
 * revision name (0 for a dry run), and `revision`, the component's revision name.
 */
export function kubeVelaContext(context: Record<string, unknown>): Record<string, unknown> {
  const appRevision = typeof context.appRevision === 'string' ? context.appRevision : '';
  const m = /-v(\d+)$/.exec(appRevision);
  const appRevisionNum = m ? Number(m[1]) : 0;
  const name = typeof context.name === 'string' ? context.name : '';
  return {
    appRevisionNum,
    ...(name !== '' ? { revision: `${name}-v${appRevisionNum}` } : {}),
    ...context,
  };
}

/**
 * Runs a CUE definition's template over `{parameter, context}`: a component or policy gives
 * `{output, outputs}`, a trait `{patch, patchAnnotations, patchOutputs, patchOutputsAnnotations,
 * outputs}`. `properties` says where the properties are written, so errors about them point there.
 *
 * @throws InvalidParametersError about a property, CueEvaluationError about the template.
 */
export async function evaluateCueTemplate(
  definition: CueDefinitionLike,
  input: { parameter: Record<string, unknown>; context: Record<string, unknown> },
  properties?: PropertiesLocation,
): Promise<Record<string, unknown>> {
  const engine = await cueEngine();
  const request = {
    ...refOf(definition),
    template: templateOf(definition),
    parameter: input.parameter,
    context: kubeVelaContext(input.context),
    ...(properties ? { properties } : {}),
  };
  if (definition.kind === 'TraitDefinition') return { ...engine.renderTrait(request) };
  return { ...engine.renderComponent(request) };
}

/**
 * Compiles a CUE definition's template and status fields, so a definition that cannot work is
 * refused when it is stored or recorded, not at its first render.
 *
 * @throws CueEvaluationError with the line and column.
 */
export async function checkCueDefinition(definition: CueDefinitionLike): Promise<void> {
  const engine = await cueEngine();
  const ref = refOf(definition);
  engine.compileDefinition(ref, templateOf(definition), CUE_TEMPLATE_PATH);
  const status = definition.spec.status;
  if (status?.healthPolicy !== undefined)
    engine.compileDefinition(ref, status.healthPolicy, CUE_HEALTH_POLICY_PATH);
  if (status?.customStatus !== undefined)
    engine.compileDefinition(ref, status.customStatus, CUE_CUSTOM_STATUS_PATH);
}

/**
 * Evaluates CUE `healthPolicy` / `customStatus` over the live objects, as KubeVela does:
 * `context.output` is the live workload, `context.outputs` the live outputs by name.
 *
 * @throws CueEvaluationError when an expression fails.
 */
export async function evaluateCueStatus(
  definition: { name: string; label: string; healthPolicy?: string; customStatus?: string },
  input: {
    output: unknown;
    outputs: Record<string, unknown>;
    parameter: Record<string, unknown>;
    context?: Record<string, unknown>;
  },
): Promise<CueStatusResult> {
  const engine = await cueEngine();
  return engine.evaluateStatus({
    definition: definition.name,
    object: definition.label,
    ...(definition.healthPolicy !== undefined ? { healthPolicy: definition.healthPolicy } : {}),
    ...(definition.customStatus !== undefined ? { customStatus: definition.customStatus } : {}),
    parameter: input.parameter,
    context: { ...kubeVelaContext(input.context ?? {}), output: input.output, outputs: input.outputs },
  });
}
