/**
 * Rendering targets: every component of every target, rendered by `render-component.ts` and cached
 * by snapshot content, so a revision renders once per worker; output is deterministic (sorted
 * keys, fixed order).
 *
 * Not workflow-safe (JSONata, ajv): call from activities.
 */
import { applicationLabel } from './application.js';
import type { ComponentDefinition, TraitDefinition } from './definition.js';
import { DuplicateNameError } from './errors.js';
import { sha256Hex } from './hash.js';
import { jsonClone } from './json-clone.js';
import type { KubeObject } from './kube-object.js';
import type { PlacementTarget, ResolvedComponent } from './placement.js';
import { componentPath, renderComponentNow } from './render-component.js';
import type { RenderContext } from './render-object.js';
import { renderedResourceKey, type RenderedResource } from './rendered-resource.js';
import { sameJson } from './same-json.js';
import type { RevisionSnapshot } from './snapshot.js';

export { CLUSTER_SCOPED_KINDS, type RenderContext } from './render-object.js';

// Whether a template's text mentions `cluster`, by text: every component on every target asks
// for the same few templates, each some kilobytes long. Keyed by the text itself, so a definition
// changed in place is simply another entry.
const MENTIONS_LIMIT = 1000;
const mentionsCluster = new Map<string, boolean>();

function templateMentionsCluster(template: string): boolean {
  const known = mentionsCluster.get(template);
  if (known !== undefined) return known;
  // Textual and conservative: a template that merely mentions the word renders per cluster.
  const mentions = template.includes('cluster');
  if (mentionsCluster.size >= MENTIONS_LIMIT) mentionsCluster.clear();
  mentionsCluster.set(template, mentions);
  return mentions;
}

/** True when a template of the component or of one of its traits may read `context.cluster`. */
function readsCluster(snapshot: RevisionSnapshot, component: ResolvedComponent): boolean {
  if (definitionReadsCluster(snapshot.componentDefinitions[component.type])) return true;
  return component.traits.some((t) => definitionReadsCluster(snapshot.traitDefinitions[t.type]));
}

function definitionReadsCluster(definition: ComponentDefinition | TraitDefinition | undefined): boolean {
  const schematic = definition?.spec.schematic;
  const template = schematic?.jsonata?.template ?? schematic?.cue?.template;
  // A definition missing from the snapshot fails to render later; until then, assume the worst.
  return template === undefined || templateMentionsCluster(template);
}

// Rendered components by snapshot content, revision, target and component. A snapshot is
// immutable and its content names it, so a revision renders the same objects every time: every
// step, health check, rollback, diff and state-keep pass of a worker after the first reuses them.
// The content key is computed per call (not kept per object), so a snapshot changed in place is
// never mistaken for the one it was.
const RENDER_CACHE_LIMIT = 5000;
let renderCache = new Map<string, KubeObject[]>();

/** Forgets every cached render (benchmarks measuring a first render; memory tests). */
export function clearRenderCache(): void {
  // A new map, not `clear()`: V8 leaves the entries of a cleared map's table in place (for
  // iterators still walking it), and a table in the old generation counts as live in every
  // young-generation collection until the next full one. The copies a cleared cache held were
  // thus copied and promoted by every scavenge: rendering 100 components after each clear, 0.7 to
  // 1.5 MB promoted per scavenge instead of about 0.1 MB, and twice the live young data.
  renderCache = new Map();
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
function renderShared(
  snapshot: RevisionSnapshot,
  content: string,
  component: ResolvedComponent,
  json: string,
  ctx: RenderContext,
): KubeObject[] | Promise<KubeObject[]> {
  const where = readsCluster(snapshot, component) ? ctx.cluster : '*';
  const key = `${content}\u0000${ctx.revision}\u0000${where}\u0000${ctx.namespace}\u0000${json}`;
  const known = renderCache.get(key);
  if (known) return jsonClone(known);
  const objects = renderComponentNow(snapshot, component, ctx);
  if (objects instanceof Promise) return objects.then((rendered) => remember(key, rendered));
  return remember(key, objects);
}

function remember(key: string, objects: KubeObject[]): KubeObject[] {
  if (renderCache.size >= RENDER_CACHE_LIMIT) renderCache.delete(renderCache.keys().next().value as string);
  renderCache.set(key, jsonClone(objects));
  return objects;
}

/** The component's JSON, taken from the first target's when the two print the same. */
function componentJson(
  component: ResolvedComponent,
  index: number,
  first: readonly ResolvedComponent[],
  firstJson: string[],
): string {
  const known = firstJson[index];
  if (known !== undefined && sameJson(component, first[index])) return known;
  const json = JSON.stringify(component);
  if (first[index] === component) firstJson[index] = json;
  return json;
}

/**
 * What a render gave, one group per component and target, kept in parallel arrays: every object
 * in render order, and per group its cluster, component, place in the application and first
 * object. A wrapper per rendered object, sorted and then mapped to a resource, was one more
 * object per rendered object living exactly as long as the render and pointing at its object:
 * the kind of allocation V8 may pretenure (see `renderedResource`). Sorting groups sorts fewer
 * things, and leaves the resources, made last, as the only objects made per rendered object.
 */
class RenderedGroups {
  readonly objects: KubeObject[] = [];
  readonly cluster: string[] = [];
  readonly component: string[] = [];
  readonly order: number[] = [];
  readonly start: number[] = [];

  add(cluster: string, component: string, order: number, objects: readonly KubeObject[]): void {
    this.cluster.push(cluster);
    this.component.push(component);
    this.order.push(order);
    this.start.push(this.objects.length);
    for (const object of objects) this.objects.push(object);
  }

  /**
   * The groups sorted by cluster name, then in component order, then in render order: the objects
   * of one group are consecutive in render order, so sorting groups sorts the objects.
   */
  sortedGroups(): number[] {
    const { cluster, order } = this;
    const groups = cluster.map((_, g) => g);
    return groups.sort((a, b) => {
      const ca = cluster[a] as string;
      const cb = cluster[b] as string;
      return ca < cb ? -1 : ca > cb ? 1 : (order[a] as number) - (order[b] as number) || a - b;
    });
  }

  /** The objects of group `g`, as indices into `objects`. */
  end(g: number): number {
    return g + 1 < this.start.length ? (this.start[g + 1] as number) : this.objects.length;
  }
}

/**
 * A resource built member by member on an empty object, not as an object literal: a literal with
 * members is an allocation site V8 may pretenure, and it did pretenure this one whenever a
 * scavenge met a render's resources all alive (one run in three or four, early on). From then
 * on every resource was born in the old generation, and the dead ones held their objects through
 * every scavenge until the next full collection: 0.9 MB promoted per scavenge instead of 0.1 MB
 * rendering 100 components. An empty `{}` has no allocation site.
 */
function renderedResource(cluster: string, component: string, object: KubeObject): RenderedResource {
  const resource = {} as RenderedResource;
  resource.cluster = cluster;
  resource.component = component;
  resource.object = object;
  return resource;
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
  const groups = new RenderedGroups();
  const content = contentKey(snapshot);
  // Placement builds components in a fixed key order, so their JSON is a stable cache key. Every
  // target holds its own copy of mostly the same components: a component equal to the first
  // target's at the same place takes the JSON printed for that one.
  const first = targets[0]?.components ?? [];
  const firstJson: string[] = [];
  for (const target of targets) {
    const ctx: RenderContext = {
      appName: app.metadata.name,
      appNamespace: app.metadata.namespace,
      namespace: target.namespace,
      revision,
      cluster: target.cluster,
    };
    for (let i = 0; i < target.components.length; i++) {
      const component = target.components[i] as ResolvedComponent;
      const json = componentJson(component, i, first, firstJson);
      const shared = renderShared(snapshot, content, component, json, ctx);
      // Awaited only when it is a promise: built-ins render synchronously (`render-steps.ts`).
      const objects = shared instanceof Promise ? await shared : shared;
      groups.add(target.cluster, component.name, order.get(component.name) ?? 0, objects);
    }
  }
  const sorted = groups.sortedGroups();
  // Checked before any resource is made, so that the resources, which live as long as the caller
  // keeps them, are the render's last allocations (see `RenderedGroups`).
  const seen = new Map<string, string>();
  for (const g of sorted) {
    const cluster = groups.cluster[g] as string;
    const component = groups.component[g] as string;
    for (let i = groups.start[g] as number; i < groups.end(g); i++) {
      const object = groups.objects[i] as KubeObject;
      const key = renderedResourceKey({ cluster, object });
      const previous = seen.get(key);
      if (previous !== undefined) {
        const { kind, metadata } = object;
        const name = `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}`;
        throw new DuplicateNameError('object', name, {
          object: applicationLabel(app),
          path: componentPath(snapshot, component),
          reason:
            previous === component
              ? `component "${previous}" renders ${name} twice into cluster ${cluster} (e.g. an exposed port and an expose trait); keep one of them`
              : `components "${previous}" and "${component}" both render ${name} into cluster ${cluster}; rename one of them`,
        });
      }
      seen.set(key, component);
    }
  }
  const rendered: RenderedResource[] = [];
  for (const g of sorted) {
    const cluster = groups.cluster[g] as string;
    const component = groups.component[g] as string;
    for (let i = groups.start[g] as number; i < groups.end(g); i++) {
      rendered.push(renderedResource(cluster, component, groups.objects[i] as KubeObject));
    }
  }
  return rendered;
}
