/**
 * One rendered object bound for one cluster: what deploy steps apply, what rollback re-applies and
 * what the rendered diff compares.
 *
 * Workflow-safe.
 */
import { objectKey, refOf, type KubeObject } from './kube-object.js';
import type { ResourceOwnership } from './ownership.js';

export interface RenderedResource {
  cluster: string;
  /** The component that rendered it. */
  component: string;
  object: KubeObject;
  /** What the application's ownership policies say about it; absent when they say nothing. */
  ownership?: ResourceOwnership;
}

/** `hangzhou1/apps/v1/Deployment/examples/podinfo`: identifies a rendered resource. */
export function renderedResourceKey(resource: Pick<RenderedResource, 'cluster' | 'object'>): string {
  return objectKey(resource.cluster, refOf(resource.object));
}
