/**
 * Rendering: component templates produce the workload (`output`) and auxiliary objects
 * (`outputs`); trait templates patch the workload (strategic merge) and add outputs. Parameters
 * are validated (with defaults) before any template runs; every object gets the target namespace
 * and Revela's four labels; output is deterministic (sorted keys, fixed order).
 *
 * Not workflow-safe (JSONata, ajv): call from activities.
 */
import { applicationLabel } from './application.js';
import { sortKeysDeep } from './canonical-json.js';
import { LOCAL_CLUSTER } from './cluster-info.js';
import { definitionLabel, type ComponentDefinition, type TraitDefinition } from './definition.js';
import {
  DuplicateNameError,
  InvalidParametersError,
  MissingReferenceError,
  TemplateError,
  UnknownDefinitionError,
} from './errors.js';
import { evaluateExpression } from './jsonata-eval.js';
import type { KubeObject } from './kube-object.js';
import { LABEL_APP_NAME, LABEL_APP_NAMESPACE, LABEL_COMPONENT, LABEL_REVISION } from './labels.js';
import { labelProblem, objectNameProblem } from './object-meta.js';
import { validateParameters } from './parameters.js';
import type { PlacementTarget, ResolvedComponent } from './placement.js';
import {
  ANNOTATION_SECRET_DATA_SHA256,
  ANNOTATION_SECRET_SOURCE,
  matchesRef,
  referencedObjectRefsDetailed,
} from './ref-objects.js';
import { renderedResourceKey, type RenderedResource } from './rendered-resource.js';
import type { RevisionSnapshot } from './snapshot.js';
import { strategicMerge } from './strategic-merge.js';

/** Where a component is being rendered. */
export interface RenderContext {
  appName: string;
  appNamespace: string;
  /** The target namespace. */
  namespace: string;
  /** The revision name, e.g. `podinfo-v1` (the `app.oam.dev/revision` label). */
  revision: string;
  cluster: string;
}

/** Kinds that have no namespace. Objects of other kinds are put in the target namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'VolumeAttachment',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function componentPath(snapshot: RevisionSnapshot, component: string): string {
  const index = snapshot.application.spec.components.findIndex((c) => c.name === component);
  return index === -1 ? `spec.components[name=${component}]` : `spec.components[${index}]`;
}

/** Checks a template result is an object Revela can apply; `defaultName` fills a missing name. */
function asKubeObject(
  value: unknown,
  what: string,
  definition: string,
  object: string,
  defaultName?: string,
): KubeObject {
  const fail = (reason: string): never => {
    throw new TemplateError(definition, `${what} ${reason}`, {
      object,
      path: 'spec.schematic.jsonata.template',
    });
  };
  if (!isRecord(value))
    return fail(
      `must be an object with apiVersion, kind and metadata, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return fail('has no apiVersion');
  if (typeof value.kind !== 'string' || value.kind === '') return fail('has no kind');
  const metadata = isRecord(value.metadata) ? { ...value.metadata } : {};
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    if (defaultName === undefined) return fail(`(${value.kind}) has no metadata.name`);
    metadata.name = defaultName;
  }
  return { ...value, metadata } as KubeObject;
}

function asOutputs(value: unknown, what: string, definition: string, object: string): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item, i) => [String(i), item]);
  if (isRecord(value)) return Object.entries(value);
  throw new TemplateError(
    definition,
    `${what} must be an object of named objects, got ${JSON.stringify(value)}`,
    {
      object,
      path: 'spec.schematic.jsonata.template',
    },
  );
}

/** Namespace and labels every rendered object carries. */
function finish(object: KubeObject, ctx: RenderContext, component: string): KubeObject {
  const metadata: KubeObject['metadata'] = { ...object.metadata };
  if (CLUSTER_SCOPED_KINDS.has(object.kind)) delete metadata.namespace;
  else metadata.namespace = ctx.namespace;
  metadata.labels = {
    ...(metadata.labels ?? {}),
    [LABEL_APP_NAME]: ctx.appName,
    [LABEL_APP_NAMESPACE]: ctx.appNamespace,
    [LABEL_COMPONENT]: component,
    [LABEL_REVISION]: ctx.revision,
  };
  return sortKeysDeep({ ...object, metadata });
}

/**
 * The objects of a `ref-objects` component as its template sees them (`context.referencedObjects`):
 * taken from the snapshot; Secrets become references (annotations naming the source and the
 * data's hash), never data.
 */
function referencedObjectsFor(snapshot: RevisionSnapshot, component: ResolvedComponent): KubeObject[] {
  const app = snapshot.application;
  const refs = referencedObjectRefsDetailed(app).filter((r) => r.component === component.name);
  return refs.map((r) => {
    const cluster = r.cluster ?? LOCAL_CLUSTER;
    const found = snapshot.referencedObjects.find(
      (o) => o.cluster === cluster && matchesRef(o.object, r.ref),
    );
    if (!found) {
      throw new MissingReferenceError(
        'Object',
        `${r.ref.kind}/${r.ref.name}`,
        `${r.ref.kind} ${r.ref.namespace ?? ''}/${r.ref.name} in cluster ${cluster} is not recorded in the revision snapshot`,
        { object: applicationLabel(app), path: r.path },
      );
    }
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
  });
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
 * @throws InvalidParametersError, TemplateError, UnknownDefinitionError.
 */
export async function renderComponent(
  snapshot: RevisionSnapshot,
  component: ResolvedComponent,
  ctx: RenderContext,
): Promise<KubeObject[]> {
  const appLabel = applicationLabel(snapshot.application);
  const path = componentPath(snapshot, component.name);
  const definition = componentDefinitionOf(snapshot, component);
  const defLabel = definitionLabel(definition);
  const jsonataSpec = definition.spec.schematic.jsonata;
  const parameter = validateParameters(jsonataSpec.parameter, component.properties, {
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
  if (component.type === 'ref-objects' || definition.metadata.name === 'ref-objects') {
    context.referencedObjects = referencedObjectsFor(snapshot, component);
  }
  const at = { definition: component.type, object: defLabel, path: 'spec.schematic.jsonata.template' };
  const result = await evaluateExpression(jsonataSpec.template, { parameter, context }, at);
  if (!isRecord(result)) {
    throw new TemplateError(
      component.type,
      `must return {output, outputs?}, got ${JSON.stringify(result) ?? 'nothing'}`,
      at,
    );
  }
  let output = asKubeObject(result.output, 'output', component.type, defLabel, component.name);
  const outputs = new Map<string, KubeObject>();
  for (const [name, value] of asOutputs(result.outputs, 'outputs', component.type, defLabel)) {
    outputs.set(name, asKubeObject(value, `outputs.${name}`, component.type, defLabel));
  }

  for (const [index, trait] of component.traits.entries()) {
    const traitDefinition = traitDefinitionOf(snapshot, component, index);
    const traitLabel = definitionLabel(traitDefinition);
    const traitSpec = traitDefinition.spec.schematic.jsonata;
    const traitParameter = validateParameters(traitSpec.parameter, trait.properties, {
      definition: trait.type,
      object: appLabel,
      path: `${path}.traits[${index}].properties`,
    });
    const traitAt = { definition: trait.type, object: traitLabel, path: 'spec.schematic.jsonata.template' };
    const traitResult = await evaluateExpression(
      traitSpec.template,
      { parameter: traitParameter, context: { ...context, output, outputs: Object.fromEntries(outputs) } },
      traitAt,
    );
    if (traitResult === undefined) continue;
    if (!isRecord(traitResult)) {
      throw new TemplateError(
        trait.type,
        `must return {patch?, outputs?}, got ${JSON.stringify(traitResult)}`,
        traitAt,
      );
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
        strategicMerge(output, traitResult.patch),
        'the patched output',
        trait.type,
        traitLabel,
      );
    }
    for (const [name, value] of asOutputs(traitResult.outputs, 'outputs', trait.type, traitLabel)) {
      outputs.set(name, asKubeObject(value, `outputs.${name}`, trait.type, traitLabel));
    }
  }

  const ordered = [...outputs.keys()].sort().map((name) => outputs.get(name) as KubeObject);
  const finished = [output, ...ordered].map((object) => finish(object, ctx, component.name));
  for (const object of finished) checkKubernetesMetadata(object, component, { object: appLabel, path });
  return finished;
}

/**
 * Names and labels Kubernetes would refuse (a k8s-objects ConfigMap named `App_Settings`, a label
 * value with spaces from the labels trait) are refused here: the publish-time dry run renders
 * every step, so the publish fails with the component's path instead of the revision failing on
 * a cluster with a 422 after it was recorded.
 */
function checkKubernetesMetadata(
  object: KubeObject,
  component: ResolvedComponent,
  location: { object: string; path: string },
): void {
  const what = `${object.kind} "${object.metadata.name}"`;
  const refuse = (field: string, problem: string): never => {
    throw new InvalidParametersError(
      component.type,
      `renders ${what}, which Kubernetes would refuse: ${field}: ${problem}`,
      location,
    );
  };
  const nameProblem = objectNameProblem(object.kind, object.metadata.name);
  if (nameProblem !== undefined) refuse('metadata.name', nameProblem);
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    const problem = labelProblem(key, value);
    if (problem !== undefined) refuse(`metadata.labels.${key}`, problem);
  }
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
      const objects = await renderComponent(snapshot, component, ctx);
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
