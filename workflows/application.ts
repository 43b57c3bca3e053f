import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { ApplicationEntity, type ApplicationState } from './application-entity.js';
import { handOverRuns } from './hand-over.js';
import { Patch } from './patches.js';
import { stateKeepReportSignal } from './state-keep-messages.js';
import {
  applyUpdate,
  DEFAULT_ENGINE_SETTINGS,
  deleteUpdate,
  publishUpdate,
  restartUpdate,
  revisionQuery,
  revisionsQuery,
  revisionReportSignal,
  rollbackUpdate,
  statusQuery,
  type ApplyRequest,
  type EngineSettings,
  type PublishRequest,
  type RestartRequest,
  type RollbackRequest,
} from './messages.js';

export interface ApplicationWorkflowInput {
  namespace: string;
  name: string;
  /** Engine tunables; only read when the entity is created. */
  settings?: Partial<EngineSettings>;
  /** Carried across continue-as-new. */
  state?: ApplicationState;
}

/**
 * `app/<ns>/<name>`: the application entity. It lives forever, continuing as new after a bounded
 * number of updates (or when the server suggests it) and always after every handler finished, so
 * its history stays small while revisions it started keep running and reporting back.
 */
export async function application(input: ApplicationWorkflowInput): Promise<void> {
  const entity = new ApplicationEntity(
    input.state ?? {
      namespace: input.namespace,
      name: input.name,
      createdAt: new Date().toISOString(),
      settings: { ...DEFAULT_ENGINE_SETTINGS, ...(input.settings ?? {}) },
      nextNumber: 1,
      revisions: [],
      snapshots: {},
      runIds: {},
      inventory: [],
      audit: [],
      requests: [],
    },
  );

  setHandler(statusQuery, () => entity.status());
  setHandler(revisionQuery, (name) => entity.revision(name));
  setHandler(revisionsQuery, () => entity.state.revisions);
  setHandler(revisionReportSignal, (report) => entity.onReport(report));
  setHandler(stateKeepReportSignal, (report) => entity.onStateKeep(report));
  setHandler(applyUpdate, (req) => entity.apply(req), {
    validator: (req: ApplyRequest) => entity.validateApply(req),
  });
  setHandler(publishUpdate, (req) => entity.publish(req), {
    validator: (req: PublishRequest) => entity.validatePublish(req),
  });
  setHandler(rollbackUpdate, (req) => entity.rollback(req), {
    validator: (req: RollbackRequest) => entity.validateRollback(req),
  });
  setHandler(restartUpdate, (req) => entity.restart(req), {
    validator: (req: RestartRequest) => entity.validateRestart(req),
  });
  setHandler(deleteUpdate, (req) => entity.delete(req));

  entity.publishVisibility();
  await condition(
    () =>
      entity.state.deleted !== undefined ||
      entity.updatesThisRun >= entity.state.settings.maxUpdatesPerRun ||
      workflowInfo().continueAsNewSuggested,
  );
  // Not while a publish that already answered waits for its revision's start (Patch.answerAtStart):
  // the next run would not know the revision started. Never busy then in runs before that patch.
  const settled = () => allHandlersFinished() && !entity.busy;
  await condition(settled);
  // Deleted: the entity ends here (never set in entities recorded before delete existed).
  if (entity.state.deleted !== undefined) return;
  // Runs that would tell this run their end by their result report by signal from now on.
  while (patched(Patch.reportByResult) && (await handOverRuns(entity))) await condition(settled);
  await continueAsNew<typeof application>({
    namespace: input.namespace,
    name: input.name,
    state: entity.state,
  });
}
