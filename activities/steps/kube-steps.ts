import { Context } from '@temporalio/activity';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { LABEL_WORKFLOW_NAME } from '../../model/builtin-steps.js';
import { LOCAL_CLUSTER } from '../../model/cluster-info.js';
import { fenceOf } from '../../model/fence.js';
import type { KubeObject } from '../../model/kube-object.js';
import { ownerOf, sameApp } from '../../model/ownership-metadata.js';
import { placedClient } from '../placed-cluster.js';
import { permanent, StepFailureType } from './step-failures.js';
import type { BuiltinStepInput, BuiltinStepResult } from './types.js';

/** An object as outputs see it: without the server's bookkeeping, which only bloats the history. */
export function withoutManagedFields(object: KubeObject): KubeObject {
  const metadata = { ...object.metadata } as Record<string, unknown>;
  delete metadata.managedFields;
  return { ...object, metadata } as KubeObject;
}

/** read-object: the object is `output.value` for outputs. */
export async function readObject(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const p = input.parameters as {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    cluster: string;
  };
  const cluster = p.cluster === '' ? LOCAL_CLUSTER : p.cluster;
  const client = placedClient(registry, cluster, input.context.revision);
  const ref = { apiVersion: p.apiVersion, kind: p.kind, namespace: p.namespace, name: p.name };
  const object = await client.read(ref, { signal: Context.current().cancellationSignal });
  if (!object) {
    throw permanent(
      StepFailureType.ObjectNotFound,
      `read-object: ${p.kind} ${p.namespace}/${p.name} does not exist on cluster ${cluster}`,
    );
  }
  return {
    scope: { parameter: p, output: { value: withoutManagedFields(object) } },
    message: `read ${p.kind} ${p.namespace}/${p.name}`,
  };
}

function finished(object: KubeObject): boolean {
  if (object.kind === 'Pod') {
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    return phase === 'Succeeded' || phase === 'Failed';
  }
  const conditions =
    (object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * clean-jobs: deletes finished Jobs (their Pods follow by background propagation) and finished
 * Pods that match the selector — only those this application owns (`app.oam.dev/name` and
 * `app.oam.dev/namespace`), and none a later run has written since (the fence).
 */
export async function cleanJobs(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const ctx = Context.current();
  const p = input.parameters as { labelselector?: Record<string, string>; namespace?: string };
  const namespace = p.namespace ?? input.context.namespace;
  const selector = p.labelselector ?? { [LABEL_WORKFLOW_NAME]: input.context.appName };
  const app = { name: input.context.appName, namespace: input.context.namespace };
  const client = placedClient(registry, LOCAL_CLUSTER, input.context.revision);
  const deleted: string[] = [];
  const skipped: string[] = [];
  for (const [apiVersion, kind] of [
    ['batch/v1', 'Job'],
    ['v1', 'Pod'],
  ] as const) {
    const objects = await client.list({
      apiVersion,
      kind,
      namespace,
      labelSelector: selector,
      signal: ctx.cancellationSignal,
    });
    for (const object of objects) {
      ctx.heartbeat();
      const label = `${kind}/${object.metadata.name}`;
      if (!sameApp(ownerOf(object), app)) {
        skipped.push(`${label} (not owned by ${app.namespace}/${app.name})`);
        continue;
      }
      if (!finished(object)) {
        skipped.push(`${label} (still running)`);
        continue;
      }
      if (input.fence !== undefined && fenceOf(object) > input.fence) {
        skipped.push(`${label} (written by a later run)`);
        continue;
      }
      const uid = object.metadata.uid;
      const gone = await client.delete(
        { apiVersion, kind, namespace, name: object.metadata.name },
        {
          propagationPolicy: 'Background',
          ...(typeof uid === 'string' ? { uid } : {}),
          signal: ctx.cancellationSignal,
        },
      );
      if (gone) deleted.push(label);
    }
  }
  return {
    scope: { parameter: p, deleted },
    message: `deleted ${deleted.length === 0 ? 'nothing' : deleted.join(', ')}${skipped.length > 0 ? `; left ${skipped.join(', ')}` : ''}`,
  };
}
