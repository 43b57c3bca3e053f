/**
 * Rendering one component: its template produces the workload (`output`) and auxiliary objects
 * (`outputs`); trait templates patch the workload (strategic merge) and add outputs. Parameters
 * are validated (with defaults) before any template runs (see `schematic.ts` for the engines);
 * every object gets the target namespace and Revela's and KubeVela's labels (`render-object.ts`).
 * `render.ts` places components on targets and caches what this renders.
 *
 * Not workflow-safe (JSONata, ajv): call from activities.
 */
import { applicationLabel } from './application.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import { traitAppliesTo, type ComponentDefinition, type TraitDefinition } from './definition.js';
import {
  MissingReferenceError,
  TemplateError,
  TraitNotApplicableError,
  UnknownDefinitionError,
} from './errors.js';
import type { KubeObject } from './kube-object.js';
import type { ResolvedComponent } from './placement.js';
import {
  ANNOTATION_SECRET_DATA_SHA256,
  ANNOTATION_SECRET_SOURCE,
  describeRef,
  objectsForRef,
  referencedObjectRefsDetailed,
} from './ref-objects.js';
import {
  asKubeObject,
  asOutputs,
  checkKubernetesMetadata,
  finishObject,
  isRecord,
  type RenderContext,
  type RenderedRole,
  type ResultLocation,
} from './render-object.js';
import { runRender, type RenderSteps } from './render-steps.js';
import { definitionParameters, templateLocation, type TemplatedDefinition } from './schematic.js';
import type { RevisionSnapshot } from './snapshot.js';
import { strategicMerge, type PatchAnnotation } from './strategic-merge.js';

// Patched objects may share members with the object and the patch they came from: both are this
// render's own (template results are fresh JSON) and are dropped once merged, so every member
// ends up in one object at one place, which `finishObject` may then take over and sort in place.
const SHARE = { share: true } as const;

/** The merge annotations a CUE trait returned with a patch (none from JSONata templates). */
function annotationsOf(value: unknown): PatchAnnotation[] {
  return Array.isArray(value) ? (value as PatchAnnotation[]) : [];
}

/** Where a component is written in the application, for error messages. */
export function componentPath(snapshot: RevisionSnapshot, component: string): string {
  const index = snapshot.application.spec.components.findIndex((c) => c.name === component);
  return index === -1 ? `spec.components[name=${component}]` : `spec.components[${index}]`;
}

/**
 * The objects of a `ref-objects` component as its template sees them (`context.referencedObjects`):
 * taken from the snapshot; Secrets become references (annotations naming the source and the
 * data's hash), never data.
 */
function referencedObjectsFor(snapshot: RevisionSnapshot, component: ResolvedComponent): KubeObject[] {
  const app = snapshot.application;
  const refs = referencedObjectRefsDetailed(app).filter((r) => r.component === component.name);
  return refs.flatMap((r) => {
    const cluster = r.cluster ?? LOCAL_CLUSTER;
    const recorded = objectsForRef(snapshot.referencedObjects, r);
    if (recorded.length === 0) {
      throw new MissingReferenceError(
        'Object',
        `${r.ref.kind}/${r.ref.name}`,
        `${describeRef(r)} in cluster ${cluster} is not recorded in the revision snapshot`,
        { object: applicationLabel(app), path: r.path },
      );
    }
    return recorded.map((found) => referencedObjectAsRendered(found, cluster));
  });
}

/** A recorded object as a template sees it: no namespace; a Secret only as a reference. */
function referencedObjectAsRendered(
  found: { cluster: string; object: KubeObject },
  cluster: string,
): KubeObject {
  const { dataSha256, ...rest } = found.object as KubeObject & { dataSha256?: unknown };
  const metadata: KubeObject['metadata'] = { ...rest.metadata };
  delete metadata.namespace;
  if (rest.kind === 'Secret') {
    return {
      apiVersion: rest.apiVersion,
      kind: rest.kind,
      metadata: {
        name: metadata.name,
        annotations: {
          [ANNOTATION_SECRET_SOURCE]: `${cluster}/${found.object.metadata.namespace ?? ''}/${metadata.name}`,
          [ANNOTATION_SECRET_DATA_SHA256]: typeof dataSha256 === 'string' ? dataSha256 : '',
        },
      },
    };
  }
  return { ...rest, metadata };
}

/**
 * `{ ...context, output, outputs }`, member by member: the spread went through V8's generic
 * object-clone path on every trait (a tenth of a component's render), the copy keeps its keys in
 * the same order.
 */
function traitContext(
  context: Record<string, unknown>,
  output: KubeObject,
  outputs: Record<string, KubeObject>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // context is built above from a literal: own, enumerable string keys, none named __proto__.
  for (const key in context) out[key] = context[key];
  out.output = output;
  out.outputs = outputs;
  return out;
}

/** Where a definition's result is judged, named by the type the application wrote. */
function resultLocation(definition: TemplatedDefinition, type: string): ResultLocation {
  const location = templateLocation(definition);
  return location.definition === type ? location : { ...location, definition: type };
}

function componentDefinitionOf(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
): ComponentDefinition {
  const definition = snapshot.componentDefinitions[component.type];
  if (!definition) {
    throw new UnknownDefinitionError('ComponentDefinition', component.type, {
      object: applicationLabel(snapshot.application),
      path: `${componentPath(snapshot, component.name)}.type`,
      known: Object.keys(snapshot.componentDefinitions),
    });
  }
  return definition;
}

function traitDefinitionOf(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
  index: number,
): TraitDefinition {
  const type = component.traits[index]?.type ?? '';
  const definition = snapshot.traitDefinitions[type];
  if (!definition) {
    throw new UnknownDefinitionError('TraitDefinition', type, {
      object: applicationLabel(snapshot.application),
      path: `${componentPath(snapshot, component.name)}.traits[${index}].type`,
      known: Object.keys(snapshot.traitDefinitions),
    });
  }
  return definition;
}

/**
 * Renders one component: the workload first, then its outputs by name. Synchronously when every
 * template involved runs on the JSONata fast path (see `render-steps.ts`), otherwise a promise of
 * the same objects.
 *
 * @throws InvalidParametersError, TemplateError, UnknownDefinitionError, TraitNotApplicableError
 * (a promise rejects with them instead once the render went asynchronous).
 */
export function renderComponentNow(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
  ctx: RenderContext,
): KubeObject[] | Promise<KubeObject[]> {
  return runRender(componentSteps(snapshot, component, ctx));
}

function* componentSteps(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
  ctx: RenderContext,
): RenderSteps<KubeObject[]> {
  const appLabel = applicationLabel(snapshot.application);
  const path = componentPath(snapshot, component.name);
  const definition = componentDefinitionOf(snapshot, component);
  const parameter = definitionParameters(definition, component.properties, {
    definition: component.type,
    object: appLabel,
    path: `${path}.properties`,
  });
  const context: Record<string, unknown> = {
    name: component.name,
    appName: ctx.appName,
    appNamespace: ctx.appNamespace,
    namespace: ctx.namespace,
    appRevision: ctx.revision,
    cluster: ctx.cluster,
  };
  if (component.replicaKey !== undefined) context.replicaKey = component.replicaKey;
  if (component.type === 'ref-objects' || definition.metadata.name === 'ref-objects') {
    context.referencedObjects = referencedObjectsFor(snapshot, component);
  }
  const at = resultLocation(definition, component.type);
  const result = yield {
    definition,
    input: { parameter, context },
    properties: { object: appLabel, path: `${path}.properties` },
  };
  if (!isRecord(result)) {
    throw new TemplateError(
      component.type,
      `must return {output, outputs?}, got ${JSON.stringify(result) ?? 'nothing'}`,
      at,
    );
  }
  let output = asKubeObject(result.output, 'output', at, component.name);
  const outputs = new Map<string, { object: KubeObject; role: RenderedRole }>();
  for (const [name, value] of asOutputs(result.outputs, 'outputs', at)) {
    outputs.set(name, { object: asKubeObject(value, `outputs.${name}`, at), role: { role: 'output', name } });
  }

  for (let index = 0; index < component.traits.length; index++) {
    const trait = component.traits[index] as ResolvedComponent['traits'][number];
    const traitDefinition = traitDefinitionOf(snapshot, component, index);
    const traitPath = `${path}.traits[${index}]`;
    // Definitions whose workload depends on the properties (k8s-objects, ref-objects) are checked
    // here, against the object actually rendered: a scaler on a referenced Deployment is fine.
    const kind = { apiVersion: output.apiVersion, kind: output.kind };
    if (!traitAppliesTo(traitDefinition.spec.appliesToWorkloads, component.type, definition, kind)) {
      throw new TraitNotApplicableError(
        trait.type,
        `${component.type} (${output.apiVersion} ${output.kind})`,
        traitDefinition.spec.appliesToWorkloads ?? [],
        { object: appLabel, path: `${traitPath}.type` },
      );
    }
    const traitParameter = definitionParameters(traitDefinition, trait.properties, {
      definition: trait.type,
      object: appLabel,
      path: `${traitPath}.properties`,
    });
    const traitAt = resultLocation(traitDefinition, trait.type);
    const outputsSoFar: Record<string, KubeObject> = {};
    for (const [name, o] of outputs) {
      // As Object.fromEntries makes it: an output named `__proto__` is a member, not the prototype.
      if (name === '__proto__')
        Object.defineProperty(outputsSoFar, name, {
          value: o.object,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else outputsSoFar[name] = o.object;
    }
    const traitResult = yield {
      definition: traitDefinition,
      input: { parameter: traitParameter, context: traitContext(context, output, outputsSoFar) },
      properties: { object: appLabel, path: `${traitPath}.properties` },
    };
    if (traitResult === undefined) continue;
    if (!isRecord(traitResult)) {
      throw new TemplateError(
        trait.type,
        `must return {patch?, output?, outputs?}, got ${JSON.stringify(traitResult)}`,
        traitAt,
      );
    }
    // `output` is the whole workload, for patches a strategic merge cannot express (json-patch,
    // json-merge-patch, env with replace or unset); `patch` then merges into it.
    if (traitResult.output !== undefined) {
      output = asKubeObject(traitResult.output, 'output', traitAt);
    }
    if (traitResult.patch !== undefined) {
      if (!isRecord(traitResult.patch)) {
        throw new TemplateError(
          trait.type,
          `patch must be an object, got ${JSON.stringify(traitResult.patch)}`,
          traitAt,
        );
      }
      output = asKubeObject(
        strategicMerge(output, traitResult.patch, annotationsOf(traitResult.patchAnnotations), SHARE),
        'the patched output',
        traitAt,
      );
    }
    // CUE traits patch outputs by name (`patchOutputs`); one the component has not rendered is
    // skipped, as KubeVela skips it (templates patch outputs that only some properties create).
    if (isRecord(traitResult.patchOutputs)) {
      const notes = isRecord(traitResult.patchOutputsAnnotations) ? traitResult.patchOutputsAnnotations : {};
      for (const [name, patch] of Object.entries(traitResult.patchOutputs)) {
        const entry = outputs.get(name);
        if (entry === undefined || !isRecord(patch)) continue;
        const merged = strategicMerge(entry.object, patch, annotationsOf(notes[name]), SHARE);
        outputs.set(name, { ...entry, object: asKubeObject(merged, `the patched outputs.${name}`, traitAt) });
      }
    }
    for (const [name, value] of asOutputs(traitResult.outputs, 'outputs', traitAt)) {
      outputs.set(name, {
        object: asKubeObject(value, `outputs.${name}`, traitAt),
        role: { role: 'output', name, trait: trait.type },
      });
    }
  }

  const workload = finishObject(
    output,
    ctx,
    component.name,
    { role: 'workload', componentType: component.type },
    component.replicaKey,
  );
  const ordered = [...outputs.keys()].sort().map((name) => {
    const entry = outputs.get(name) as { object: KubeObject; role: RenderedRole };
    return finishObject(entry.object, ctx, component.name, entry.role, component.replicaKey);
  });
  const finished = [workload, ...ordered];
  for (const object of finished) checkKubernetesMetadata(object, component, { object: appLabel, path });
  return finished;
}
