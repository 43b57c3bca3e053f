/**
 * Tunables of the engine, fixed when an application entity is created and passed to every
 * revision it starts.
 *
 * The timeouts are ordered so that a superseded revision has stopped writing before its successor
 * writes (see docs/fencing.md): a Kubernetes request ends (`kube/` request timeout) before the
 * server gives up on the attempt making it (`heartbeatTimeoutMs`), which happens before the entity
 * stops waiting for a cancelled revision and terminates it (`supersedeTimeoutMs`).
 *
 * Workflow-safe.
 */

export interface EngineSettings {
  /** First interval between health checks. @default 1000 */
  healthIntervalMs: number;
  /** Cap on the interval between health checks. @default 10000 */
  healthMaxIntervalMs: number;
  /** How long supersession waits for the running revision to acknowledge cancellation before terminating it. @default 30000 */
  supersedeTimeoutMs: number;
  /** Continue-as-new after this many updates in one run (always after all handlers finished). @default 500 */
  maxUpdatesPerRun: number;
  /** Revisions kept when no `garbage-collect` policy says otherwise. @default 10 */
  revisionLimit: number;
  /** Budget for the entity's retained snapshots, in bytes of canonical JSON. @default 1.5 MiB */
  stateBudgetBytes: number;
  /** Start-to-close timeout of one activity attempt: how long a crashed worker's attempt blocks a retry. @default 30000 */
  activityTimeoutMs: number;
  /** Heartbeat timeout of cluster writes: how soon a crashed worker's apply is retried elsewhere. @default 20000 */
  heartbeatTimeoutMs: number;
  /** Between state-keep checks of the current revision when no `state-keep` policy sets an interval. @default 300000 (5 minutes, KubeVela's) */
  stateKeepIntervalMs: number;
  /**
   * After a success wakes state keep (or starts it), how long no further success must arrive
   * before it checks: the revision has just applied and verified everything, so an earlier check
   * finds nothing, while it would compete with the next publish for the worker. @default 5000
   */
  stateKeepSettleMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  healthIntervalMs: 1000,
  healthMaxIntervalMs: 10_000,
  supersedeTimeoutMs: 30_000,
  maxUpdatesPerRun: 500,
  revisionLimit: 10,
  stateBudgetBytes: 1.5 * 1024 * 1024,
  activityTimeoutMs: 30_000,
  heartbeatTimeoutMs: 20_000,
  stateKeepIntervalMs: 300_000,
  stateKeepSettleMs: 5000,
};

/**
 * Why `settings` do not fence, or an empty list: the heartbeat timeout must exceed the Kubernetes
 * request timeout (so a request of a lost attempt has ended when the server retries it), and the
 * supersede wait must exceed the heartbeat timeout (so a stopped run's attempts are over, or
 * known lost, when the next writer starts).
 */
export function timeoutOrderProblems(settings: EngineSettings, kubeRequestTimeoutMs: number): string[] {
  const problems: string[] = [];
  if (settings.heartbeatTimeoutMs <= kubeRequestTimeoutMs) {
    problems.push(
      `heartbeatTimeoutMs (${settings.heartbeatTimeoutMs}) must be longer than the Kubernetes request timeout (${kubeRequestTimeoutMs})`,
    );
  }
  if (settings.supersedeTimeoutMs <= settings.heartbeatTimeoutMs) {
    problems.push(
      `supersedeTimeoutMs (${settings.supersedeTimeoutMs}) must be longer than heartbeatTimeoutMs (${settings.heartbeatTimeoutMs})`,
    );
  }
  return problems;
}

/** Settings of an entity or revision created before a setting existed get its default. */
export function withDefaultSettings(settings: Partial<EngineSettings> | undefined): EngineSettings {
  return { ...DEFAULT_ENGINE_SETTINGS, ...(settings ?? {}) };
}
