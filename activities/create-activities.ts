import type { ActivityDeps } from './deps.js';
import { applyResource } from './apply-resource.js';
import { checkHealth } from './check-health.js';
import { collectGarbage } from './collect-garbage.js';
import { describeWorkflow } from './describe-workflow.js';
import { diffRevisions } from './diff-revisions.js';
import { translated } from './failures.js';
import { renderRevision, renderStep } from '../model/step-render.js';
import { resolveKeptSnapshot, resolveSnapshot } from './resolve-snapshot.js';
import { stateKeepCheck, type StateKeepCheckInput } from './state-keep-check.js';
import { placementClusters } from './placed-cluster.js';
import { terminateWorkflow } from './terminate-workflow.js';
import { waitingReasons } from './waiting-reasons.js';
import { prepareBuiltinStep, type PrepareStepRequest } from '../model/builtin-step-prepare.js';
import { awaitBuiltinStep, runBuiltinStep } from './steps/run-builtin-step.js';
import { requestRestart, type RequestRestartInput } from './steps/request-restart.js';
import type { BuiltinStepInput } from './steps/types.js';
import type {
  ApplyResourceInput,
  CheckHealthInput,
  CollectGarbageInput,
  DescribeWorkflowInput,
  DiffRevisionsInput,
  RenderRevisionInput,
  RenderStepInput,
  ResolveSnapshotInput,
  TerminateWorkflowInput,
  WaitingReasonsInput,
} from './types.js';

/**
 * Every activity Revela's workflows call, bound to their dependencies. Workers register the
 * result; tests build it with their own registry and client.
 */
export function createActivities(deps: ActivityDeps) {
  const { registry, temporal } = deps;
  return {
    resolveSnapshot: translated((input: ResolveSnapshotInput) => resolveSnapshot(deps, input)),
    resolveKeptSnapshot: translated((input: ResolveSnapshotInput) => resolveKeptSnapshot(deps, input)),
    renderStep: translated((input: RenderStepInput) =>
      renderStep(input, placementClusters(input.snapshot, registry)),
    ),
    renderRevision: translated((input: RenderRevisionInput) =>
      renderRevision(input.snapshot, input.revision, placementClusters(input.snapshot, registry)),
    ),
    applyResource: translated((input: ApplyResourceInput) => applyResource(registry, input)),
    checkHealth: translated((input: CheckHealthInput) => checkHealth(registry, input)),
    collectGarbage: translated((input: CollectGarbageInput) => collectGarbage(registry, input)),
    diffRevisions: translated((input: DiffRevisionsInput) => diffRevisions(registry, input)),
    terminateWorkflow: translated((input: TerminateWorkflowInput) => terminateWorkflow(temporal, input)),
    describeWorkflow: translated((input: DescribeWorkflowInput) => describeWorkflow(temporal, input)),
    waitingReasons: translated((input: WaitingReasonsInput) => waitingReasons(temporal, input)),
    stateKeepCheck: translated((input: StateKeepCheckInput) => stateKeepCheck(registry, temporal, input)),
    prepareBuiltinStep: translated((input: PrepareStepRequest) =>
      Promise.resolve(prepareBuiltinStep(input, placementClusters(input.snapshot, registry))),
    ),
    runBuiltinStep: translated((input: BuiltinStepInput) => runBuiltinStep({ registry, temporal }, input)),
    awaitBuiltinStep: translated((input: BuiltinStepInput) =>
      awaitBuiltinStep({ registry, temporal }, input),
    ),
    requestRestart: translated((input: RequestRestartInput) => requestRestart(temporal, input)),
  };
}
