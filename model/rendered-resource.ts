/**
 * One rendered object bound for one cluster: what deploy steps apply, what rollback re-applies and
 * what the rendered diff compares.
 *
 * Workflow-safe.
 */
import { objectKey, refOf, type KubeObject } from './kube-object.js';

export interface RenderedResource {
  cluster: string;
  /** The component that rendered it. */
  component: string;
  object: KubeObject;
}

/** `hangzhou1/apps/v1/Deployment/examples/podinfo`: identifies a rendered resource. */
export function renderedResourceKey(resource: Pick<RenderedResource, 'cluster' | 'object'>): string {
  return objectKey(resource.cluster, refOf(resource.object));
}
