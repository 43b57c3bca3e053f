import type { WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { application } from './application.js';
import { catalog } from './catalog.js';
import { revision } from './revision.js';
import { stateKeep } from './state-keep.js';
import { rollback } from './rollback.js';
import { restartTimer } from './restart-timer.js';

/**
 * Versioning behaviours, declared per workflow type (`setWorkflowOptions` beside each workflow).
 *
 * A behaviour is declared only when a versioned worker runs the workflow: an unversioned worker
 * (`REVELA_WORKER_VERSIONING=off`) fails every workflow task that declares one. The SDK reads this
 * once, at the run's first activation, where `currentDeploymentVersion` is the version that ran the
 * first task — so a run 0.1.0's unversioned workers started declares none on replay either, and
 * gets the worker's default (auto-upgrade).
 */
function whenVersioned(options: WorkflowDefinitionOptions): () => WorkflowDefinitionOptions {
  return () => (workflowInfo().currentDeploymentVersion?.deploymentName ? options : {});
}

/**
 * Revisions (and rollbacks) finish on the build that started them: a rollout never replays a run
 * mid-way.
 */
export const pinnedWhenVersioned = whenVersioned({ versioningBehavior: 'PINNED' });

/**
 * Entities (application, catalog) live forever, so they move to each current build at their next
 * workflow task; their code changes therefore stay replay-compatible with `patched()`.
 */
export const autoUpgradeWhenVersioned = whenVersioned({ versioningBehavior: 'AUTO_UPGRADE' });

// The declarations, in one place so a new workflow type cannot go without one
// (test/unit/workflow-versioning.test.ts checks every type `index.ts` exports).
setWorkflowOptions(autoUpgradeWhenVersioned, application);
setWorkflowOptions(autoUpgradeWhenVersioned, catalog);
setWorkflowOptions(pinnedWhenVersioned, revision);
// State keep lives forever, like the entities, and follows the current build.
setWorkflowOptions(autoUpgradeWhenVersioned, stateKeep);
// A rollback is one run that re-applies a snapshot and collects garbage, like a revision.
setWorkflowOptions(pinnedWhenVersioned, rollback);
// A restart-workflow timer only sleeps and asks the entity; it may finish on any build.
setWorkflowOptions(autoUpgradeWhenVersioned, restartTimer);
