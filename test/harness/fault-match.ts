/**
 * Which requests a fault applies to. A request through the fault proxy is described the way the
 * apiserver's authorizer sees it — a Kubernetes verb derived from method, path and query — so a
 * test says "hold the patches of Deployment podinfo" instead of guessing HTTP details.
 */

/** Kubernetes request verbs (a DELETE of a collection counts as `delete`). */
export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** Every {@link KubeVerb}, in the apiserver's order. */
export const KUBE_VERBS: readonly KubeVerb[] = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
];

/**
 * Selects requests. Every given field must match; an empty match selects every request.
 *
 * @example
 * { verbs: ['patch'], path: '/namespaces/shop/deployments/podinfo' }
 */
export interface RequestMatch {
  /** Kubernetes verbs selected. @default every verb */
  readonly verbs?: readonly KubeVerb[];
  /**
   * The request target (path and query, `/api/v1/namespaces/a/pods?watch=true`): a string is a
   * substring to find, a RegExp is searched (its `g` flag and `lastIndex` play no part).
   * @default every path
   */
  readonly path?: string | RegExp;
}

/** What a match is tested against. */
export interface RequestDescription {
  readonly method: string;
  /** Path and query as sent (`req.url`). */
  readonly path: string;
  readonly verb: KubeVerb;
}

// A namespace's own subresources; any other third segment under /namespaces/<ns>/ is a resource.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * The Kubernetes verb of a request, as the apiserver's request-info resolver derives it: writes by
 * method; a GET is a `watch` with `watch=true|1` or under the legacy `/watch/` prefix, a `list` on
 * a collection and a `get` on one object, a subresource or a non-resource path (`/version`,
 * discovery, `/healthz`).
 */
export function kubeVerb(method: string, target: string): KubeVerb {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
  }
  const url = new URL(target, 'https://fault-proxy.invalid');
  const watch = url.searchParams.get('watch');
  if (watch === 'true' || watch === '1') return 'watch';
  const segments = url.pathname.split('/').filter((s) => s !== '');
  let rest: string[];
  if (segments[0] === 'api' && segments.length > 2) rest = segments.slice(2);
  else if (segments[0] === 'apis' && segments.length > 3) rest = segments.slice(3);
  else return 'get';
  if (rest[0] === 'watch') return 'watch';
  const namespaced =
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2] ?? ''));
  if (namespaced) rest = rest.slice(2);
  return rest.length === 1 ? 'list' : 'get';
}

/** Whether `request` is selected by `match` (an absent match selects everything). */
export function matchesRequest(match: RequestMatch | undefined, request: RequestDescription): boolean {
  if (match === undefined) return true;
  if (match.verbs !== undefined && !match.verbs.includes(request.verb)) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string'
    ? request.path.includes(match.path)
    : request.path.search(match.path) !== -1;
}

/** `patch requests whose path contains "/deployments/podinfo"`, for error messages. */
export function describeMatch(match: RequestMatch | undefined): string {
  const verbs = match?.verbs?.length ? match.verbs.join('|') : 'any';
  const path = match?.path;
  if (path === undefined) return `${verbs} requests`;
  const where = typeof path === 'string' ? `contains ${JSON.stringify(path)}` : `matches ${String(path)}`;
  return `${verbs} requests whose path ${where}`;
}

/** Problems of a match (a verb outside {@link KUBE_VERBS}, from a cast or a typo in YAML-fed tests). */
export function matchProblems(match: RequestMatch | undefined): string[] {
  return (match?.verbs ?? [])
    .filter((verb) => !KUBE_VERBS.includes(verb))
    .map((verb) => `unknown verb "${String(verb)}" (known: ${KUBE_VERBS.join(', ')})`);
}
