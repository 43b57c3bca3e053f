import type { Application } from '../model/application.js';
import type { EngineSettings } from '../model/engine-settings.js';
import type { AuditEntry, RevisionHistory, RevisionReport } from '../model/revision-history.js';
import type * as acts from './activities.js';

/** Everything the entity carries across continue-as-new. */
export interface ApplicationState extends RevisionHistory {
  createdAt: string;
  settings: EngineSettings;
  draft?: Application;
  /** Answers of recent requests by id, so a retried publish is answered, not repeated. */
  requests: { id: string; result: unknown }[];
  /**
   * The last write fence handed out: every revision run and rollback writes with a larger one, so
   * a cluster refuses the late write of a run that was stopped (docs/fencing.md). Absent in
   * entities created before fencing: they start at 0.
   */
  fence?: number;
  /**
   * The fence of the writer that made the current revision what is deployed: its run, or the
   * rollback to it. State keep restores with this one, not `fence`: a run or rollback that has
   * taken a fence but is not current yet has written, or may write, with the larger one. Absent
   * until the first start or rollback since.
   */
  currentFence?: number;
  /** The state-keep workflow (`keep/<ns>/<app>`) was started; absent until a first success. */
  stateKeepStarted?: boolean;
  /**
   * Set by `delete` once every owned object was collected: the entity then finishes instead of
   * continuing as new. Absent in every entity that was never deleted.
   */
  deleted?: { at: string; collected: number };
}

/** What the entity's actions share: its state, its activities and its bookkeeping. */
export interface EntityContext {
  readonly state: ApplicationState;
  /** `app/<ns>/<name>`. */
  readonly id: string;
  readonly compute: ReturnType<typeof acts.computeActivities>;
  /** `resolveKeptSnapshot`, run in the entity's own workflow task (see publish-action.ts). */
  readonly localCompute: ReturnType<typeof acts.localComputeActivities>;
  readonly cluster: ReturnType<typeof acts.clusterActivities>;
  /**
   * Revision runs started by this entity run, by run id: true once the run closed. Only this
   * entity run sees their close; after continue-as-new supersession asks Temporal instead.
   */
  readonly watchedRuns: Map<string, boolean>;
  /**
   * The open runs among them that tell their end by their result (`reportByResult`), by run id
   * with their workflow id: handed over to signals before continue-as-new.
   */
  readonly resultRuns: Map<string, string>;
  audit(action: AuditEntry['action'], revision: string | undefined, message: string): void;
  /** A revision run's report, by signal or (its final one) by its result. */
  onReport(report: RevisionReport): void;
  /** Search attributes and memo: what the Temporal UI and `revision list` read. */
  publishVisibility(): void;
  /** Runs an activity; its typed failure becomes the update's rejection. */
  callActivity<T>(fn: () => Promise<T>): Promise<T>;
}

/** The next write fence of this application (see {@link ApplicationState.fence}). */
export function nextFence(state: ApplicationState): number {
  state.fence = (state.fence ?? 0) + 1;
  return state.fence;
}
