/**
 * Workflow ids and revision names. One builder per name so that the client, the workflows and the
 * tests can never disagree on a format.
 */

/** `app/<ns>/<name>`: the application entity workflow. */
export function applicationWorkflowId(namespace: string, name: string): string {
  return `app/${namespace}/${name}`;
}

/** `<app>-v<N>`: the revision name, as in KubeVela's ApplicationRevision. */
export function revisionName(app: string, number: number): string {
  return `${app}-v${number}`;
}

/** `rev/<ns>/<app>-v<N>`: the workflow that executes one revision. */
export function revisionWorkflowId(namespace: string, revision: string): string {
  return `rev/${namespace}/${revision}`;
}

/**
 * `rollback/<ns>/<app>/<n>`: the workflow of one rollback, numbered per application. Only rollbacks
 * started by this release have one (earlier releases rolled back inside the entity).
 */
export function rollbackWorkflowId(namespace: string, app: string, number: number): string {
  return `rollback/${namespace}/${app}/${number}`;
}

/** `keep/<ns>/<app>`: the state-keep workflow of one application (one per application, forever). */
export function stateKeepWorkflowId(namespace: string, app: string): string {
  return `keep/${namespace}/${app}`;
}

/** `catalog/<ns>`: the namespace catalog of definitions, external policies and workflows. */
export function catalogWorkflowId(namespace: string): string {
  return `catalog/${namespace}`;
}

/** The namespace whose catalog holds definitions shared by every namespace (as in KubeVela). */
export const SYSTEM_NAMESPACE = 'vela-system';

/** `<ns>/<name>`: the value of the `RevelaApp` search attribute. */
export function appKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Parses `<app>-v<N>`. Returns undefined for anything else, so callers can give their own error.
 */
export function parseRevisionName(revision: string): { app: string; number: number } | undefined {
  const m = /^(.+)-v([1-9][0-9]*)$/.exec(revision);
  if (!m?.[1] || !m[2]) return undefined;
  return { app: m[1], number: Number(m[2]) };
}
