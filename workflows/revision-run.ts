import {
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  patched,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RevisionStatus } from '../model/revision.js';
import { planWorkflow, type PlannedStep, type WorkflowPlan } from '../model/workflow-plan.js';
import * as acts from './activities.js';
import { reject, RejectionType } from './failures.js';
import { withDefaultSettings } from '../model/engine-settings.js';
import { inventoryKey, type InventoryEntry } from '../model/inventory.js';
import type { ComponentHealth, StepStatus } from '../model/step-status.js';
import type {
  OperationResult,
  RevisionResult,
  RevisionRunStatus,
  RevisionWorkflowInput,
  StepOperationRequest,
} from './messages.js';
import { Patch } from './patches.js';
import { renderDetails } from './revision-details.js';
import { RevisionReports } from './revision-reports.js';
import { collectGarbage, keepStepsBeforeRestart } from './revision-deploy.js';
import { failureMessage, runStep } from './revision-steps.js';
import { RevelaPhase } from './search-attributes.js';

type Mode = 'StepByStep' | 'DAG';

/** Why a run stopped early; decides the reason recorded on running steps. */
type StopCause = { kind: 'terminate'; reason: string } | { kind: 'supersede'; by: string; reason: string };

/**
 * The state of one run of one revision: its steps, suspension, health and what it applied. The
 * workflow function only wires messages to it; all decisions live here so they are easy to read
 * and replay.
 */
export class RevisionRun {
  readonly plan: WorkflowPlan;
  status: RevisionStatus = 'Executing';
  message: string | undefined;
  readonly steps: StepStatus[];
  readonly byName = new Map<string, { step: PlannedStep; status: StepStatus }>();
  suspendedAll = false;
  readonly suspendedSteps = new Set<string>();
  readonly resumedSteps = new Set<string>();
  private stop: StopCause | undefined;
  private readonly runScope = new CancellationScope();
  readonly health = new Map<string, ComponentHealth>();
  /** Every object this run applied (or, for steps kept by a restart, would have applied). */
  readonly applied = new Map<string, InventoryEntry>();
  /** Outputs recorded by steps and components so far, by name (read by later steps' inputs). */
  readonly outputs: Record<string, unknown> = {};
  /** Objects this run's garbage collection deleted. */
  readonly deleted: InventoryEntry[] = [];
  /** Lanes settle before the run goes on or reports (false only for histories of 0.1.0). */
  readonly settle: boolean;
  /** Every path reports how the run ended (false only for histories of 0.1.0). */
  private readonly reportEveryEnd: boolean;
  /** What the entity hears, and when. */
  readonly reports: RevisionReports;
  /** An end by the run's own steps is told by its result (see `RevisionWorkflowInput.reportByResult`). */
  private byResult: boolean;
  finished = false;
  private finalReportSent = false;
  /** Visibility written only when it changes (false for histories before `Patch.visibilityOnChange`). */
  private readonly visibilityOnChange: boolean;
  private visible: { status: RevisionStatus; message: string | undefined } | undefined;
  endTime: string | undefined;
  readonly startTime = new Date().toISOString();

  readonly compute: ReturnType<typeof acts.localComputeActivities>;
  readonly cluster: ReturnType<typeof acts.clusterActivities>;
  readonly healthChecks: ReturnType<typeof acts.healthActivities>;

  constructor(readonly input: RevisionWorkflowInput) {
    this.plan = planWorkflow(input.snapshot);
    // Revisions started by an older entity lack newer settings: they get the defaults.
    const settings = withDefaultSettings(input.settings);
    this.compute = acts.localComputeActivities(settings);
    this.cluster = acts.clusterActivities(settings);
    this.healthChecks = acts.healthActivities(settings);
    const toStatus = (step: PlannedStep, prefix: string): StepStatus => {
      const status: StepStatus = {
        id: `${prefix}${step.name}`,
        name: step.name,
        type: step.type,
        phase: 'pending',
        ...(step.subSteps
          ? { subSteps: step.subSteps.map((s) => toStatus(s, `${prefix}${step.name}/`)) }
          : {}),
      };
      this.byName.set(step.name, { step, status });
      return status;
    };
    this.steps = this.plan.steps.map((s) => toStatus(s, ''));
    this.settle = patched(Patch.settleLanes);
    this.reportEveryEnd = patched(Patch.finalReport);
    this.reports = new RevisionReports(this, input.applicationWorkflowId, patched(Patch.reportAtEnd));
    this.visibilityOnChange = patched(Patch.visibilityOnChange);
    this.byResult = input.reportByResult === true;
  }

  get revision(): string {
    return this.input.revision.name;
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  statusView(): RevisionRunStatus {
    return {
      revision: this.revision,
      status: this.status,
      ...(this.message !== undefined ? { message: this.message } : {}),
      mode: this.plan.mode,
      suspended: this.status === 'Suspended',
      terminated: this.status === 'Terminated',
      finished: this.finished,
      steps: this.steps,
      health: [...this.health.values()],
      startTime: this.startTime,
      ...(this.endTime ? { endTime: this.endTime } : {}),
    };
  }

  validateRunning(): void {
    if (this.finished) {
      throw reject(RejectionType.RevisionNotRunning, `${this.revision} is ${this.status}; it no longer runs`);
    }
  }

  validateStep(req: StepOperationRequest): void {
    this.validateRunning();
    if (req.step !== undefined && !this.byName.has(req.step)) {
      throw reject(
        RejectionType.StepNotFound,
        `${this.revision} has no step "${req.step}" (steps: ${[...this.byName.keys()].join(', ')})`,
      );
    }
  }

  suspend(req: StepOperationRequest): OperationResult {
    if (req.step) {
      this.suspendedSteps.add(req.step);
      this.resumedSteps.delete(req.step);
      return {
        revision: this.revision,
        message: `step ${req.step} of ${this.revision} will wait before it runs`,
      };
    }
    this.suspendedAll = true;
    this.setStatus('Suspended');
    return {
      revision: this.revision,
      message: `${this.revision} suspended: no further step starts until resumed`,
    };
  }

  resume(req: StepOperationRequest): OperationResult {
    if (req.step) {
      this.suspendedSteps.delete(req.step);
      this.resumedSteps.add(req.step);
      return { revision: this.revision, message: `step ${req.step} of ${this.revision} resumed` };
    }
    this.suspendedAll = false;
    this.suspendedSteps.clear();
    for (const name of this.byName.keys()) this.resumedSteps.add(name);
    this.refreshStatus();
    return { revision: this.revision, message: `${this.revision} resumed` };
  }

  async terminate(reason: string | undefined): Promise<OperationResult> {
    this.stop ??= { kind: 'terminate', reason: reason ?? 'terminated by user' };
    this.runScope.cancel();
    // Answer once the entity has been told, so `status` right after shows the run terminated.
    await condition(() => this.finalReportSent);
    return { revision: this.revision, message: `${this.revision} terminated` };
  }

  superseded(by: string, reason: string): void {
    this.stop ??= { kind: 'supersede', by, reason };
  }

  /**
   * The entity run that watches this run is about to continue as new: the final report goes by
   * signal after all.
   */
  reportBySignalFromNowOn(): void {
    this.byResult = false;
  }

  // -------------------------------------------------------------------------------------------
  // Execution

  /**
   * Runs every step, then collects what the previous revisions applied and this one does not.
   * Whatever happens — success, a failed step or garbage collection, a cancellation, a terminate
   * update — the entity gets a final report before the run ends; the result says how it ended.
   */
  async execute(): Promise<RevisionResult> {
    this.publishVisibility();
    try {
      await this.runScope.run(async () => {
        await keepStepsBeforeRestart(this);
        const failed = await this.runSteps(this.plan.steps, this.plan.mode.steps);
        if (failed) {
          this.finish('Failed', `step ${failed} failed`);
          return;
        }
        await collectGarbage(this);
        this.finish('Succeeded', undefined);
      });
    } catch (err) {
      if (!isCancellation(err) && !this.stoppedMidFailure()) {
        if (!this.reportEveryEnd) throw err;
        // A failure outside any step (garbage collection, a restart's render): the run still
        // reports it, or the entity would show Executing forever.
        this.markRunningSteps('failed', 'Failed', failureMessage(err));
        await CancellationScope.nonCancellable(async () => {
          this.finish('Failed', failureMessage(err));
          await this.flushReport();
          this.finalReportSent = true;
        });
        return this.result();
      }
      const stop: StopCause = this.stop ?? { kind: 'supersede', by: 'a newer request', reason: 'cancelled' };
      const reason = stop.kind === 'terminate' ? 'Terminate' : 'Superseded';
      const message = stop.kind === 'terminate' ? stop.reason : `${stop.reason} by ${stop.by}`;
      this.markRunningSteps('failed', reason, message);
      // A rollback abandons this revision: it reads RolledBack everywhere, the UI included.
      const final: RevisionStatus =
        stop.kind === 'supersede' && stop.reason === 'rolled back' ? 'RolledBack' : 'Terminated';
      await CancellationScope.nonCancellable(async () => {
        this.finish(final, message);
        await this.flushReport();
        this.finalReportSent = true;
      });
      // A terminate update ends the run normally; a cancellation from the entity ends it as
      // Canceled, so the Temporal UI tells the two apart.
      if (stop.kind === 'supersede') {
        throw isCancellation(err)
          ? err
          : new CancelledFailure(message, [], err instanceof Error ? err : undefined);
      }
      return this.result();
    }
    // Ended by its own steps, watched by the entity run that started it: the result is the report.
    // The server refuses to close a run while a signal is unhandled, so a `reportBySignal` that
    // races with this end is always seen first.
    if (this.byResult) {
      this.finalReportSent = true;
      return this.result();
    }
    // A cancellation that arrives now must not cancel the final report.
    if (this.reportEveryEnd) await CancellationScope.nonCancellable(() => this.flushReport());
    else await this.flushReport();
    this.finalReportSent = true;
    return this.result();
  }

  /**
   * Whether the run was stopped (superseded, terminated) while a failure was on its way. An
   * activity that does not heartbeat (the health wait) is not told of a cancellation: its attempt
   * still fails (`NotHealthy`) after the stop. A stop decides how the run ended, not that failure.
   * Only for runs recorded after the change (`Patch.stopWins`).
   */
  stoppedMidFailure(): boolean {
    return this.runScope.consideredCancelled && patched(Patch.stopWins);
  }

  /** The run's final status, what it applied where and the health it saw: the workflow's result. */
  result(): RevisionResult {
    return {
      revision: this.revision,
      status: this.status,
      ...(this.message !== undefined ? { message: this.message } : {}),
      steps: this.steps,
      applied: [...this.applied.values()],
      deleted: this.deleted,
      health: [...this.health.values()],
      ...(this.endTime ? { endTime: this.endTime } : {}),
    };
  }

  /** Runs steps in order or as a DAG; returns the name of the first failed step, if any. */
  async runSteps(steps: PlannedStep[], mode: Mode): Promise<string | undefined> {
    let firstFailure: string | undefined;
    const runOne = async (step: PlannedStep) => {
      const entry = this.byName.get(step.name);
      if (!entry || entry.status.phase !== 'pending') return;
      const status: StepStatus = entry.status;
      await runStep(this, step, status, firstFailure !== undefined);
      if (status.phase === 'failed') firstFailure ??= step.name;
    };
    if (mode === 'StepByStep') {
      for (const step of steps) await runOne(step);
    } else {
      const done = (name: string) => {
        const phase = this.byName.get(name)?.status.phase;
        return phase === 'succeeded' || phase === 'failed' || phase === 'skipped';
      };
      const branches = steps.map(async (step) => {
        await condition(() => step.dependsOn.every(done));
        await runOne(step);
      });
      if (this.settle) {
        // Every branch settles (its activities really stopped) before a cancellation goes on.
        const settled = await Promise.allSettled(branches);
        const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (rejected) throw rejected.reason;
      } else {
        await Promise.all(branches);
      }
    }
    return firstFailure;
  }

  recordApplied(
    cluster: string,
    object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } },
  ) {
    const entry: InventoryEntry = {
      cluster,
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
      revision: this.revision,
    };
    this.applied.set(inventoryKey(entry), entry);
    this.reports.recordApplied(entry);
  }

  // -------------------------------------------------------------------------------------------
  // Status, reports and visibility

  markRunningSteps(phase: 'failed', reason: string, message: string, steps: StepStatus[] = this.steps): void {
    for (const s of steps) {
      if (s.phase === 'running' || s.phase === 'suspending') {
        s.phase = phase;
        s.reason = reason;
        s.message = message;
      }
      if (s.subSteps) this.markRunningSteps(phase, reason, message, s.subSteps);
    }
  }

  refreshStatus(): void {
    if (this.finished) return;
    const anySuspending = (steps: StepStatus[]): boolean =>
      steps.some((s) => s.phase === 'suspending' || (s.subSteps ? anySuspending(s.subSteps) : false));
    this.setStatus(this.suspendedAll || anySuspending(this.steps) ? 'Suspended' : 'Executing');
  }

  private setStatus(status: RevisionStatus): void {
    if (this.status === status) return;
    this.status = status;
    void this.flushReport();
  }

  private finish(status: RevisionStatus, message: string | undefined): void {
    this.status = status;
    this.message = message;
    this.finished = true;
    this.endTime = new Date().toISOString();
    // A closed workflow answers queries only by replaying its whole history; its final view in the
    // memo is read with a plain describe instead.
    const run = this.statusView();
    if (this.visibilityOnChange) return this.publishVisibility({ run });
    this.publishVisibility();
    upsertMemo({ run });
  }

  /** Tells the entity the current status and what was applied and deleted since the last report. */
  flushReport(): Promise<void> {
    return this.reports.send();
  }

  /**
   * Search attribute, memo and the Temporal UI's "current details"; since `Patch.visibilityOnChange`
   * the first two only when changed (or `memo` adds): most calls report progress, only in details.
   */
  publishVisibility(memo?: Record<string, unknown>): void {
    setCurrentDetails(renderDetails(this));
    const { status, message } = this;
    const phaseChanged = this.visible?.status !== status;
    const changed = phaseChanged || this.visible?.message !== message || memo !== undefined;
    if (this.visibilityOnChange && !changed) return;
    if (!this.visibilityOnChange || phaseChanged)
      upsertSearchAttributes([{ key: RevelaPhase, value: status }]);
    upsertMemo({ status, ...(message ? { message } : {}), ...memo });
    this.visible = { status, message };
  }
}
