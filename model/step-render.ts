export type { StepRenderRequest } from './step-request.js';
import { explicitSteps, stepSource } from './app-references.js';
import { applicationLabel } from './application.js';
import type { ClusterInfo } from './cluster-info.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import { UnknownClusterError } from './errors.js';
import { objectKey, refOf, type ObjectRef } from './kube-object.js';
import { LABEL_REPLICA_KEY } from './labels.js';
import { withOwnership } from './ownership-scope.js';
import { resolvePlacement, selectComponents, type PlacementTarget } from './placement.js';
import { renderTargets } from './render.js';
import type { RenderedResource } from './rendered-resource.js';
import type { RevisionSnapshot } from './snapshot.js';
import { planWorkflow } from './workflow-plan.js';
import { deploySteps, stepRenderRequest, type StepRenderRequest } from './step-request.js';

/** How to judge one component healthy on one cluster. */
export interface HealthTarget {
  component: string;
  type: string;
  namespace: string;
  traits: string[];
  workload: ObjectRef;
  outputs: ObjectRef[];
  healthPolicy?: string;
  customStatus?: string;
  /** `cue` when `healthPolicy` and `customStatus` are CUE; absent for JSONata. */
  statusEngine?: 'cue';
  parameter: Record<string, unknown>;
}

/** A step's objects and, per cluster, the components to wait for. */
export interface RenderedStep {
  resources: RenderedResource[];
  health: Record<string, HealthTarget[]>;
}

/** Where a step is written: in the application (`spec.workflow.steps[1]`) or its external Workflow (`steps[0]`). */
export interface StepLocation {
  readonly object: string;
  readonly path: string;
}

export function stepLocation(snapshot: RevisionSnapshot, name: string): StepLocation | undefined {
  const app = snapshot.application;
  const external = stepSource(app) === 'external' ? snapshot.externalWorkflow : undefined;
  const object = external
    ? `Workflow ${external.metadata.namespace ?? app.metadata.namespace}/${external.metadata.name}`
    : applicationLabel(app);
  const base = external ? 'steps' : 'spec.workflow.steps';
  for (const [i, step] of (explicitSteps(app, snapshot.externalWorkflow) ?? []).entries()) {
    if (step.name === name) return { object, path: `${base}[${i}]` };
    for (const [j, sub] of (step.subSteps ?? []).entries()) {
      if (sub.name === name) return { object, path: `${base}[${i}].subSteps[${j}]` };
    }
  }
  return undefined;
}

function placementOf(
  request: StepRenderRequest,
  clusters: readonly ClusterInfo[],
  at: StepLocation | undefined,
): PlacementTarget[] {
  const { snapshot } = request;
  if (request.component !== undefined) {
    const cluster = request.cluster ?? LOCAL_CLUSTER;
    if (!clusters.some((c) => c.name === cluster)) {
      // The publish-time dry run knows the step, so the error points at the line to fix.
      throw new UnknownClusterError(
        cluster,
        clusters.map((c) => c.name).sort(),
        at
          ? { object: at.object, path: `${at.path}.properties.cluster` }
          : { object: applicationLabel(snapshot.application), path: 'apply-component.properties.cluster' },
      );
    }
    return [
      {
        cluster,
        namespace: snapshot.application.metadata.namespace ?? 'default',
        components: selectComponents(snapshot, [request.component]),
      },
    ];
  }
  return resolvePlacement(snapshot, request.policies ?? [], clusters);
}

/**
 * Renders what one step deploys and how to judge it healthy. The first object a component
 * renders on a cluster is its workload; the rest are its outputs.
 */
export async function renderStep(
  request: StepRenderRequest,
  clusters: readonly ClusterInfo[],
  at?: StepLocation,
): Promise<RenderedStep> {
  const targets = placementOf(request, clusters, at);
  // Ownership policies travel with each object to the apply activity that enforces them.
  const resources = withOwnership(
    request.snapshot.application,
    await renderTargets(request.snapshot, targets, request.revision),
  );
  const health: Record<string, HealthTarget[]> = {};
  for (const target of targets) {
    for (const component of target.components) {
      // Copies of a replicated component share its name; their objects carry the replica key.
      const [workload, ...outputs] = resources.filter(
        (r) =>
          r.cluster === target.cluster &&
          r.component === component.name &&
          r.object.metadata.labels?.[LABEL_REPLICA_KEY] === component.replicaKey,
      );
      if (!workload) continue;
      const definitionSpec = request.snapshot.componentDefinitions[component.type]?.spec;
      const status = definitionSpec?.status;
      (health[target.cluster] ??= []).push({
        component: component.name,
        type: component.type,
        namespace: workload.object.metadata.namespace ?? target.namespace,
        traits: component.traits.map((t) => t.type),
        workload: refOf(workload.object),
        outputs: outputs.map((o) => refOf(o.object)),
        ...(status?.healthPolicy ? { healthPolicy: status.healthPolicy } : {}),
        ...(status?.customStatus ? { customStatus: status.customStatus } : {}),
        ...(definitionSpec?.schematic.cue !== undefined && status !== undefined
          ? { statusEngine: 'cue' as const }
          : {}),
        parameter: component.properties,
      });
    }
  }
  return { resources, health };
}

/** One deploying step of a revision, rendered: what `revela dry-run` prints per step. */
export interface RenderedRevisionStep extends RenderedStep {
  /** The step's name (`deploy-hangzhou`). */
  step: string;
  /** Its type (`deploy`, `apply-component`). */
  type: string;
}

/** Each deploying step of a revision rendered; an object rendered by two steps is kept once. */
export async function renderRevisionSteps(
  snapshot: RevisionSnapshot,
  revision: string,
  clusters: readonly ClusterInfo[],
): Promise<RenderedRevisionStep[]> {
  const seen = new Set<string>();
  const out: RenderedRevisionStep[] = [];
  for (const step of deploySteps(planWorkflow(snapshot).steps)) {
    const rendered = await renderStep(
      stepRenderRequest(snapshot, revision, step),
      clusters,
      stepLocation(snapshot, step.name),
    );
    const resources = rendered.resources.filter((r) => {
      const key = objectKey(r.cluster, refOf(r.object));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    out.push({ step: step.name, type: step.type, resources, health: rendered.health });
  }
  return out;
}

/** Everything a revision deploys across its steps, as rollback, diffs and the tree need it. */
export async function renderRevision(
  snapshot: RevisionSnapshot,
  revision: string,
  clusters: readonly ClusterInfo[],
): Promise<RenderedResource[]> {
  return (await renderRevisionSteps(snapshot, revision, clusters)).flatMap((s) => s.resources);
}
