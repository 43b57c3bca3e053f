/**
 * Rendering: component templates produce the workload (`output`) and auxiliary objects
 * (`outputs`); trait templates patch the workload (strategic merge) and add outputs. Parameters
 * are validated (with defaults) before any template runs (see `schematic.ts` for the engines);
 * every object gets the target namespace and Revela's and KubeVela's labels (`render-object.ts`);
 * output is deterministic (sorted keys, fixed order).
 *
 * Not workflow-safe (JSONata, ajv): call from activities.
 */
import { applicationLabel } from './application.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import { traitAppliesTo, type ComponentDefinition, type TraitDefinition } from './definition.js';
import {
  DuplicateNameError,
  MissingReferenceError,
  TemplateError,
  TraitNotApplicableError,
  UnknownDefinitionError,
} from './errors.js';
import { sha256Hex } from './hash.js';
import { jsonClone } from './json-clone.js';
import type { KubeObject } from './kube-object.js';
import type { PlacementTarget, ResolvedComponent } from './placement.js';
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
} from './render-object.js';
import { renderedResourceKey, type RenderedResource } from './rendered-resource.js';
import { definitionParameters, evaluateTemplate, templateLocation } from './schematic.js';
import type { RevisionSnapshot } from './snapshot.js';
import { strategicMerge, type PatchAnnotation } from './strategic-merge.js';

export { CLUSTER_SCOPED_KINDS, type RenderContext } from './render-object.js';

/** The merge annotations a CUE trait returned with a patch (none from JSONata templates). */
function annotationsOf(value: unknown): PatchAnnotation[] {
  return Array.isArray(value) ? (value as PatchAnnotation[]) : [];
}

function componentPath(snapshot: RevisionSnapshot, component: string): string {
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
 * Renders one component: the workload first, then its outputs by name.
 *
 * @throws InvalidParametersError, TemplateError, UnknownDefinitionError, TraitNotApplicableError.
 */
export async function renderComponent(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
  ctx: RenderContext,
): Promise<KubeObject[]> {
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
  const at = { ...templateLocation(definition), definition: component.type };
  const result = await evaluateTemplate(
    definition,
    { parameter, context },
    { object: appLabel, path: `${path}.properties` },
  );
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

  for (const [index, trait] of component.traits.entries()) {
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
    const traitAt = { ...templateLocation(traitDefinition), definition: trait.type };
    const outputsSoFar = Object.fromEntries([...outputs].map(([name, o]) => [name, o.object]));
    const traitResult = await evaluateTemplate(
      traitDefinition,
      { parameter: traitParameter, context: { ...context, output, outputs: outputsSoFar } },
      { object: appLabel, path: `${traitPath}.properties` },
    );
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
        strategicMerge(output, traitResult.patch, annotationsOf(traitResult.patchAnnotations)),
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
        const merged = strategicMerge(entry.object, patch, annotationsOf(notes[name]));
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

/** True when a template of the component or of one of its traits may read `context.cluster`. */
function readsCluster(snapshot: RevisionSnapshot, component: ResolvedComponent): boolean {
  const templates = [
    snapshot.componentDefinitions[component.type],
    ...component.traits.map((t) => snapshot.traitDefinitions[t.type]),
  ].map((d) => d?.spec.schematic.jsonata?.template ?? d?.spec.schematic.cue?.template ?? 'cluster');
  // Textual and conservative: a template that merely mentions the word renders per cluster.
  return templates.some((t) => t.includes('cluster'));
}

// Rendered components by snapshot content, revision, target and component. A snapshot is
// immutable and its content names it, so a revision renders the same objects every time: every
// step, health check, rollback, diff and state-keep pass of a worker after the first reuses them.
// The content key is computed per call (not kept per object), so a snapshot changed in place is
// never mistaken for the one it was.
const RENDER_CACHE_LIMIT = 5000;
const renderCache = new Map<string, KubeObject[]>();

/** Forgets every cached render (benchmarks measuring a first render; memory tests). */
export function clearRenderCache(): void {
  renderCache.clear();
}

/**
 * What names a snapshot's content in the render cache: the SHA-256 of its plain JSON. Not the
 * snapshot hash, whose canonical JSON (sorted keys) costs several times more and is only needed
 * where hashes are compared across processes: here two equal snapshots whose keys come in another
 * order merely miss the cache, while two different ones can never share a key.
 */
function contentKey(snapshot: RevisionSnapshot): string {
  return sha256Hex(JSON.stringify(snapshot));
}

/**
 * Renders a component, or copies what an earlier render of the same snapshot, revision, namespace
 * and component gave. A component on several clusters renders once unless a template reads
 * `context.cluster`.
 */
async function renderShared(
  snapshot: RevisionSnapshot,
  content: string,
  component: ResolvedComponent,
  ctx: RenderContext,
): Promise<KubeObject[]> {
  const where = readsCluster(snapshot, component) ? ctx.cluster : '*';
  // Placement builds components in a fixed key order, so JSON.stringify is a stable key here.
  const key = `${content}\u0000${ctx.revision}\u0000${where}\u0000${ctx.namespace}\u0000${JSON.stringify(component)}`;
  const known = renderCache.get(key);
  if (known) return jsonClone(known);
  const objects = await renderComponent(snapshot, component, ctx);
  if (renderCache.size >= RENDER_CACHE_LIMIT) renderCache.delete(renderCache.keys().next().value as string);
  renderCache.set(key, jsonClone(objects));
  return objects;
}

/**
 * Renders every component for every target. Resources come sorted by cluster name, then in
 * component order, the workload before its outputs.
 *
 * @throws DuplicateNameError when two components render the same object into one cluster.
 */
export async function renderTargets(
  snapshot: RevisionSnapshot,
  targets: readonly PlacementTarget[],
  revision: string,
): Promise<RenderedResource[]> {
  const app = snapshot.application;
  const order = new Map(app.spec.components.map((c, i) => [c.name, i]));
  const rendered: (RenderedResource & { order: number; seq: number })[] = [];
  const content = contentKey(snapshot);
  let seq = 0;
  for (const target of targets) {
    const ctx: RenderContext = {
      appName: app.metadata.name,
      appNamespace: app.metadata.namespace,
      namespace: target.namespace,
      revision,
      cluster: target.cluster,
    };
    for (const component of target.components) {
      const objects = await renderShared(snapshot, content, component, ctx);
      for (const object of objects) {
        rendered.push({
          cluster: target.cluster,
          component: component.name,
          object,
          order: order.get(component.name) ?? 0,
          seq: seq++,
        });
      }
    }
  }
  rendered.sort((a, b) =>
    a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : a.order - b.order || a.seq - b.seq,
  );
  const seen = new Map<string, string>();
  for (const resource of rendered) {
    const key = renderedResourceKey(resource);
    const previous = seen.get(key);
    if (previous !== undefined) {
      const { kind, metadata } = resource.object;
      const name = `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}`;
      throw new DuplicateNameError('object', name, {
        object: applicationLabel(app),
        path: componentPath(snapshot, resource.component),
        reason:
          previous === resource.component
            ? `component "${previous}" renders ${name} twice into cluster ${resource.cluster} (e.g. an exposed port and an expose trait); keep one of them`
            : `components "${previous}" and "${resource.component}" both render ${name} into cluster ${resource.cluster}; rename one of them`,
      });
    }
    seen.set(key, resource.component);
  }
  return rendered.map(({ cluster, component, object }) => ({ cluster, component, object }));
}
