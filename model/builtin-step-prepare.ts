/**
 * What a built-in step is about to do, worked out from its snapshot before anything touches a
 * cluster: its parameters checked against its definition with the defaults applied (inputs from
 * earlier steps already written in), and the objects it writes with what the application's
 * ownership policies say about each.
 *
 * Not workflow-safe (ajv): the revision workflow calls it through a local activity, so its result
 * is recorded and a replay never re-runs it.
 */
import { applicationLabel } from './application.js';
import { LOCAL_CLUSTER, type ClusterInfo } from './cluster-info.js';
import { InvalidDocumentError, UnknownClusterError } from './errors.js';
import type { KubeObject } from './kube-object.js';
import type { ResourceOwnership } from './ownership.js';
import { withOwnership } from './ownership-scope.js';
import { validateParameters } from './parameters.js';
import { resolvePlacement } from './placement.js';
import type { RevisionSnapshot } from './snapshot.js';
import { stepLocation } from './step-render.js';
import { OBJECT_STEP_TYPES, type BuiltinStepContext } from './builtin-steps.js';
import { renderStepObjects } from './step-objects.js';

export interface PrepareStepRequest {
  readonly snapshot: RevisionSnapshot;
  readonly revision: string;
  readonly step: {
    readonly name: string;
    readonly type: string;
    readonly properties: Record<string, unknown>;
  };
}

/** One object a step writes, bound for one cluster. */
export interface PreparedObject {
  readonly cluster: string;
  readonly object: KubeObject;
  readonly ownership?: ResourceOwnership;
}

export interface PreparedStep {
  /** The parameters with the definition's defaults applied. */
  readonly parameters: Record<string, unknown>;
  /** What it writes (object-writing steps only). */
  readonly objects: PreparedObject[];
  readonly context: BuiltinStepContext;
}

function stepClusters(
  request: PrepareStepRequest,
  parameters: Record<string, unknown>,
  clusters: readonly ClusterInfo[],
  at: { object: string; path: string },
): string[] {
  const { type } = request.step;
  if (type === 'export-data' || type === 'export-service') {
    const topology = parameters.topology;
    if (typeof topology !== 'string') return [LOCAL_CLUSTER];
    const targets = resolvePlacement(request.snapshot, [topology], clusters, { step: request.step.name });
    return [...new Set(targets.map((t) => t.cluster))];
  }
  const cluster =
    typeof parameters.cluster === 'string' && parameters.cluster !== '' ? parameters.cluster : LOCAL_CLUSTER;
  if (!clusters.some((c) => c.name === cluster)) {
    throw new UnknownClusterError(cluster, clusters.map((c) => c.name).sort(), {
      object: at.object,
      path: `${at.path}.properties.cluster`,
    });
  }
  return [cluster];
}

/**
 * Checks a built-in step's parameters and renders what it writes.
 *
 * @throws InvalidParametersError naming the step's path (`spec.workflow.steps[2].properties.url`),
 *   UnknownClusterError, MissingReferenceError for an unknown topology policy.
 */
export function prepareBuiltinStep(
  request: PrepareStepRequest,
  clusters: readonly ClusterInfo[],
): PreparedStep {
  const { snapshot, step } = request;
  const app = snapshot.application;
  const at = stepLocation(snapshot, step.name) ?? {
    object: applicationLabel(app),
    path: `step ${step.name}`,
  };
  const definition = snapshot.workflowStepDefinitions[step.type];
  if (!definition) {
    throw new InvalidDocumentError(`the snapshot has no definition of step type ${step.type}`, {
      object: at.object,
      path: `${at.path}.type`,
    });
  }
  const parameters = validateParameters(definition.spec.schematic.jsonata.parameter, step.properties, {
    definition: step.type,
    object: at.object,
    path: `${at.path}.properties`,
  });
  const context: BuiltinStepContext = {
    appName: app.metadata.name,
    namespace: app.metadata.namespace,
    revision: request.revision,
    stepName: step.name,
  };
  if (!OBJECT_STEP_TYPES.has(step.type)) return { parameters, objects: [], context };
  const placed = stepClusters(request, parameters, clusters, at);
  const rendered = renderStepObjects(step.type, parameters, context, placed).map((o) => ({
    ...o,
    component: step.name,
  }));
  const objects = withOwnership(app, rendered).map(({ cluster, object, ownership }) => ({
    cluster,
    object,
    ...(ownership ? { ownership } : {}),
  }));
  return { parameters, objects, context };
}
