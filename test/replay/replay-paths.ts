/** The histories 0.1.0 committed (commit de1c31d), kept byte for byte in `0.1.0/`. */
export const RELEASE_0_1_0_HISTORIES = [
  'application-continued-as-new',
  'application-scenario',
  'catalog-examples',
  'revision-republished',
  'revision-superseded',
] as const;

export interface ReplayPath {
  /** What a running workflow was doing, in the words of issue 11. */
  readonly path: string;
  /** Fixture names (any release folder) whose histories take that path. */
  readonly fixtures: readonly string[];
}

/**
 * Paths whose histories must be committed: each is code a long-running workflow sits in while a
 * new worker release arrives. `test/record/record-histories.test.ts` records them.
 */
export const REPLAY_PATHS: readonly ReplayPath[] = [
  { path: 'cancellation with applies in flight', fixtures: ['revision-cancelled-mid-apply'] },
  {
    path: 'acknowledgement timeout terminates a child',
    fixtures: ['application-ack-timeout-terminates-child'],
  },
  {
    path: 'restart from a step',
    fixtures: ['application-restart-from-step', 'revision-restarted-from-step'],
  },
  { path: "the revision's side of a rollback (RolledBack)", fixtures: ['revision-rolled-back'] },
  { path: 'suspend, resume, approval', fixtures: ['revision-suspend-resume-approval'] },
  { path: 'a step timeout', fixtures: ['revision-step-timeout'] },
  { path: 'DAG mode, step groups and a failed step', fixtures: ['revision-dag-step-groups-failed'] },
  {
    path: 'garbage collection in a revision and in a rollback',
    // Since 0.2.0 a rollback is its own workflow, started by the entity.
    fixtures: [
      'revision-collects-garbage',
      'rollback-collects-garbage',
      'application-rollback-collects-garbage',
    ],
  },
  {
    path: 'a second entity run supersedes a child started by the previous run',
    fixtures: ['application-supersedes-previous-run-child'],
  },
  {
    path: 'a publish supersedes a revision waiting for health; the entity waits until it closed',
    fixtures: ['revision-superseded-waiting-health', 'application-supersedes-waiting-child'],
  },
  {
    path: 'a revision terminated from outside after it applied (it reports only at its end; the entity reads its memo)',
    fixtures: ['revision-terminated-reports-at-end', 'application-terminated-child-memo-inventory'],
  },
  {
    path: 'a publish resolved by the local activity, and one that falls back to the activity',
    fixtures: ['application-local-resolve'],
  },
  {
    path: 'a revision ends by its result (no final signal); the entity hands open runs over before continue-as-new',
    fixtures: ['revision-reports-by-result', 'application-reports-by-result', 'application-continued-as-new'],
  },
  {
    path: 'state keep asleep after checks woken by successes (at once before the settle period, after it since)',
    fixtures: ['state-keep-checks-at-once', 'state-keep-settles'],
  },
  {
    path: 'a revision writes its phase and status memo only when they change (suspended and resumed, garbage collected)',
    fixtures: ['revision-visibility-on-change'],
  },
  {
    path: 'a publish answers as it requests its revision start; a start that fails puts the previous revision back',
    fixtures: ['application-answers-at-start'],
  },
  { path: 'catalog delete', fixtures: ['catalog-delete'] },
  { path: 'catalog continue-as-new', fixtures: ['catalog-continued-as-new'] },
  {
    path: "KubeVela's built-in steps (writes, reads, HTTP, a wait), inputs/outputs and if over inputs",
    fixtures: ['revision-kubevela-steps-io'],
  },
];
