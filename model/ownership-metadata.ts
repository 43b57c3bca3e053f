/**
 * How ownership is written on a live object: the owner in the `app.oam.dev/name` and
 * `app.oam.dev/namespace` labels (KubeVela's), the holders of a shared object in the
 * `app.oam.dev/shared-by` annotation (KubeVela's spelling: `ns/app,ns/other`), and one server-side
 * apply field manager per application, so the apiserver itself reports two applications writing
 * the same field.
 *
 * Workflow-safe.
 */
import type { KubeObject } from './kube-object.js';
import { FIELD_MANAGER, LABEL_APP_NAME, LABEL_APP_NAMESPACE } from './labels.js';

/** The applications holding a shared object, owner included. */
export const ANNOTATION_SHARED_BY = 'app.oam.dev/shared-by';

/**
 * The field manager that edits `app.oam.dev/shared-by` (and hands a shared object to its next
 * holder). It is no application's, so it never makes one application's apply look like a conflict
 * with another's.
 */
export const SHARED_BY_FIELD_MANAGER = 'revela-shared-by';

/** The apiserver refuses field managers longer than this. */
export const MAX_FIELD_MANAGER_LENGTH = 128;

/** An application, as ownership metadata names it. */
export interface AppRef {
  readonly namespace: string;
  readonly name: string;
}

/** `shop/team-a`. */
export function appRefText(app: AppRef): string {
  return `${app.namespace}/${app.name}`;
}

export function sameApp(a: AppRef | undefined, b: AppRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.namespace === b.namespace && a.name === b.name;
}

/** 8 hex characters of FNV-1a over the text: stable everywhere, no crypto needed. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * `revela/<ns>/<app>`: the field manager of one application. Names of up to 63 characters each
 * could make it 134 characters, over the apiserver's 128: a name that long is cut and ends in a
 * hash of the whole, so two long names never share a manager.
 */
export function fieldManagerFor(app: AppRef): string {
  const full = `${FIELD_MANAGER}/${app.namespace}/${app.name}`;
  if (full.length <= MAX_FIELD_MANAGER_LENGTH) return full;
  const suffix = `~${shortHash(full)}`;
  return full.slice(0, MAX_FIELD_MANAGER_LENGTH - suffix.length) + suffix;
}

/** True for a field manager of some Revela application (not the legacy shared `revela` one). */
export function isAppFieldManager(manager: string): boolean {
  return manager.startsWith(`${FIELD_MANAGER}/`);
}

/** The application the object's labels name, if both labels are there. */
export function ownerOf(object: Pick<KubeObject, 'metadata'>): AppRef | undefined {
  const labels = object.metadata.labels ?? {};
  const name = labels[LABEL_APP_NAME];
  const namespace = labels[LABEL_APP_NAMESPACE];
  return name && namespace ? { namespace, name } : undefined;
}

/** The holders `app.oam.dev/shared-by` lists, in order (the first is the one that created it). */
export function sharedHolders(object: Pick<KubeObject, 'metadata'>): AppRef[] {
  const text = object.metadata.annotations?.[ANNOTATION_SHARED_BY] ?? '';
  const out: AppRef[] = [];
  for (const part of text.split(',')) {
    const [namespace, name, ...rest] = part.trim().split('/');
    if (namespace && name && rest.length === 0 && !out.some((h) => sameApp(h, { namespace, name })))
      out.push({ namespace, name });
  }
  return out;
}

/** The annotation value for these holders. */
export function formatHolders(holders: readonly AppRef[]): string {
  return holders.map(appRefText).join(',');
}

/** Field managers recorded on a live object (`metadata.managedFields[].manager`). */
export function managersOf(object: Pick<KubeObject, 'metadata'>): string[] {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  const out = new Set<string>();
  for (const e of entries) {
    const manager = (e as { manager?: unknown }).manager;
    if (typeof manager === 'string') out.add(manager);
  }
  return [...out];
}
