import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { heartbeatingThroughout } from '../fenced-write.js';
import { cleanJobs, readObject } from './kube-steps.js';
import { notification, request, webhook } from './http-steps.js';
import { permanent } from './step-failures.js';
import type { BuiltinStepInput, BuiltinStepResult } from './types.js';
import { checkMetrics, collectServiceEndpoints, dependsOnApp, deploymentReady } from './wait-steps.js';

export interface BuiltinStepDeps {
  readonly registry: ClusterRegistry;
  readonly temporal: Client;
}

/** What a KubeVela built-in step does outside the workflow: HTTP calls, reads, deletes. */
export function runBuiltinStep(deps: BuiltinStepDeps, input: BuiltinStepInput): Promise<BuiltinStepResult> {
  const { registry } = deps;
  return heartbeatingThroughout(() => {
    switch (input.type) {
      case 'notification':
        return notification(registry, input);
      case 'webhook':
        return webhook(registry, input);
      case 'request':
        return request(registry, input);
      case 'read-object':
        return readObject(registry, input);
      case 'clean-jobs':
        return cleanJobs(registry, input);
      default:
        throw permanent('UnknownStepType', `step type ${input.type} does not run as an action`);
    }
  });
}

/** One check of a waiting built-in step; throws a retryable `NotReady` until it holds. */
export function awaitBuiltinStep(deps: BuiltinStepDeps, input: BuiltinStepInput): Promise<BuiltinStepResult> {
  switch (input.type) {
    case 'apply-deployment':
      return deploymentReady(deps.registry, input);
    case 'depends-on-app':
      return dependsOnApp(deps.temporal, input);
    case 'collect-service-endpoints':
      return collectServiceEndpoints(deps.registry, input);
    case 'check-metrics':
      return checkMetrics(input);
    default:
      return Promise.reject(permanent('UnknownStepType', `step type ${input.type} does not wait`));
  }
}
