/**
 * The minimal shape Revela needs of a Kubernetes object. Rendered objects and objects read from a
 * cluster both have it; everything beyond metadata is kept as opaque JSON.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Identifies one object in one cluster (namespace omitted for cluster-scoped kinds). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** `Deployment/podinfo`, the form used in messages, activity summaries and the status tree. */
export function objectLabel(ref: Pick<ObjectRef, 'kind' | 'name'>): string {
  return `${ref.kind}/${ref.name}`;
}

/** A stable key for an object in one cluster: `hangzhou1/apps/v1/Deployment/examples/podinfo`. */
export function objectKey(cluster: string, ref: ObjectRef): string {
  return `${cluster}/${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
  if (object.metadata.namespace !== undefined) ref.namespace = object.metadata.namespace;
  return ref;
}
