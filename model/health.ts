/**
 * Component health from the live workload: the definition's `healthPolicy` (JSONata → boolean)
 * decides, its `customStatus` (JSONata → string, e.g. `Ready:1/3`) explains. A CUE definition's
 * status is CUE, as KubeVela's: `isHealth` and `message` over `context.output` and
 * `context.outputs` (the live objects, outputs by name) and `parameter`.
 *
 * Not workflow-safe (JSONata): the health-check activity calls it.
 */
import { definitionLabel, type ComponentDefinition } from './definition.js';
import { TemplateError } from './errors.js';
import { evaluateExpression } from './jsonata-eval.js';
import type { KubeObject } from './kube-object.js';
import { LABEL_TRAIT_RESOURCE } from './labels.js';

export interface ComponentStatusInput {
  /** The live workload, undefined when it does not exist (yet). */
  output: KubeObject | undefined;
  /** The live auxiliary objects by output name. */
  outputs: Record<string, KubeObject | undefined>;
  /** The component's properties, defaults applied. */
  parameter: Record<string, unknown>;
}

export interface ComponentStatus {
  healthy: boolean;
  /** The custom status (`Ready:1/3`), or `not found`. */
  message: string;
}

/**
 * Evaluates a component's health. A missing workload is unhealthy (`not found`); a definition
 * without a health policy is healthy once its workload exists.
 *
 * @throws TemplateError when an expression fails or the health policy does not return a boolean.
 */
export async function evaluateComponentStatus(
  definition: ComponentDefinition,
  input: ComponentStatusInput,
): Promise<ComponentStatus> {
  if (input.output === undefined) return { healthy: false, message: 'not found' };
  const name = definition.metadata.name;
  const object = definitionLabel(definition);
  const status = definition.spec.status;
  if ((definition.spec.schematic as { cue?: unknown } | undefined)?.cue !== undefined) {
    return cueStatus({ name, label: object, ...status }, input);
  }
  const data = { output: input.output, outputs: input.outputs, parameter: input.parameter };
  let healthy = true;
  if (status?.healthPolicy !== undefined) {
    const at = { definition: name, object, path: 'spec.status.healthPolicy' };
    const result = await evaluateExpression(status.healthPolicy, data, { ...at }, { deterministic: false });
    if (typeof result !== 'boolean') {
      throw new TemplateError(
        name,
        `must return true or false, got ${JSON.stringify(result) ?? 'nothing'}`,
        at,
      );
    }
    healthy = result;
  }
  let message = '';
  if (status?.customStatus !== undefined) {
    const at = { definition: name, object, path: 'spec.status.customStatus' };
    const result = await evaluateExpression(status.customStatus, data, at, { deterministic: false });
    if (typeof result === 'string') message = result;
    else if (typeof result === 'number' || typeof result === 'boolean') message = String(result);
    else if (result !== undefined && result !== null) message = JSON.stringify(result);
  }
  return { healthy, message };
}

/** The CUE status of a component; outputs are named as their template named them. */
async function cueStatus(
  definition: { name: string; label: string; healthPolicy?: string; customStatus?: string },
  input: ComponentStatusInput,
): Promise<ComponentStatus> {
  const outputs: Record<string, KubeObject> = {};
  for (const [key, live] of Object.entries(input.outputs)) {
    if (live !== undefined) outputs[live.metadata.labels?.[LABEL_TRAIT_RESOURCE] ?? key] = live;
  }
  const { evaluateCueStatus } = await import('../cue/definitions.js');
  const result = await evaluateCueStatus(definition, {
    output: input.output,
    outputs,
    parameter: input.parameter,
  });
  return { healthy: result.isHealth ?? true, message: result.message ?? '' };
}
