/**
 * Patch ids of workflow changes since 0.1.0 (`patched()` from @temporalio/workflow). A history
 * recorded before a change replays the old branch; new runs take the new one. One constant per
 * change, so the same id is never spelled two ways. See docs/upgrades.md. (The `revela-0.3-` ids
 * are changes made late in 0.2.0; 0.2.0's fixtures record them so, and a recorded id never changes.)
 */
export const Patch = {
  /** apply and publish take the entity's mutex when accepted, before resolving (finding 5). */
  mutexFirst: 'revela-0.2-mutex-first',
  /** Supersession asks Temporal for the run's real state when no report comes (finding 3). */
  supersedeDescribe: 'revela-0.2-supersede-describe',
  /** The entity hears when a revision run closes without reporting (terminated from outside). */
  watchChild: 'revela-0.2-watch-child',
  /** Rollback runs as its own child workflow; state changes after it succeeded (findings 6, 7). */
  rollbackWorkflow: 'revela-0.2-rollback-workflow',
  /** A revision reports how it ended on every path, failures included (finding 3). */
  finalReport: 'revela-0.2-final-report',
  /** Every lane of a deploy (and every DAG step) settles before the run reports (finding 1). */
  settleLanes: 'revela-0.2-settle-lanes',
  /** After a revision or rollback succeeds, a state-keep child re-checks and repairs drift (issue 15). */
  stateKeep: 'revela-0.2-state-keep',
  /** Supersession waits until the stopped run has closed, not only reported (same workflow id reused by restart). */
  waitForClose: 'revela-0.2-wait-for-close',
  /** A failure that arrives after the run was stopped ends it as stopped (Terminated), not Failed. */
  stopWins: 'revela-0.2-stop-wins',
  /**
   * A revision signals the entity once, when it ends, with everything it applied and deleted; while
   * it runs, what it applied is in its memo, read by the entity only when the run ends without
   * reporting. Each progress signal cost the revision and the entity a workflow task (issue 13).
   */
  reportAtEnd: 'revela-0.3-report-at-end',
  /** apply and publish resolve by a local activity first, when the worker's kept catalogs suffice (issue 13). */
  localResolve: 'revela-0.3-local-resolve',
  /**
   * A revision that ends by its own steps tells the entity run that started it by its result, not
   * a signal it must wait to be acknowledged; the entity hands its open runs over to signals before
   * it continues as new (issue 13).
   */
  reportByResult: 'revela-0.3-report-by-result',
  /**
   * State keep's check after a success waits until no other success woke it for
   * `stateKeepSettleMs`: a burst of publishes costs one check, and the check does not run while
   * the next publish is being answered (issue 13).
   */
  stateKeepSettle: 'revela-0.3-state-keep-settle',
  /**
   * A revision writes its phase search attribute and status memo only when they change, and its
   * final view in the same memo write: a publish wrote them about ten times unchanged, each an
   * event and a visibility update (issue 13).
   */
  visibilityOnChange: 'revela-0.3-visibility-on-change',
  /**
   * apply and publish answer in the workflow task that requests the revision's start, and hold
   * the entity's lock until the start is confirmed: waiting a second workflow task for the child's
   * start was half of a publish's round trip. The client waits for the revision workflow to exist
   * (issue 13).
   */
  answerAtStart: 'revela-0.3-answer-at-start',
} as const;
