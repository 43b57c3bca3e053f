import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setCurrentDetails,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HealthTarget } from '../model/step-render.js';
import { objectLabel } from '../model/kube-object.js';
import type { RevisionStatus } from '../model/revision.js';
import { formatDuration, parseDuration } from '../model/duration.js';
import { evaluateStepCondition } from '../model/step-condition.js';
import { stepRenderRequest } from '../model/step-request.js';
import { planWorkflow, type PlannedStep, type WorkflowPlan } from '../model/workflow-plan.js';
import * as acts from './activities.js';
import { reject, RejectionType } from './failures.js';
import type {
  ComponentHealth,
  InventoryEntry,
  OperationResult,
  RevisionReport,
  RevisionRunStatus,
  RevisionWorkflowInput,
  StepOperationRequest,
  StepStatus,
} from './messages.js';
import { DEFAULT_ENGINE_SETTINGS, inventoryKey, revisionReportSignal } from './messages.js';
import { RevelaPhase } from './search-attributes.js';

type Mode = 'StepByStep' | 'DAG';

/** Why a run stopped early; decides the reason recorded on running steps. */
type StopCause = { kind: 'terminate'; reason: string } | { kind: 'supersede'; by: string; reason: string };

/** The message of the deepest cause, without the SDK's wrapper text. */
function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

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
  private readonly byName = new Map<string, { step: PlannedStep; status: StepStatus }>();
  private suspendedAll = false;
  private readonly suspendedSteps = new Set<string>();
  private readonly resumedSteps = new Set<string>();
  private stop: StopCause | undefined;
  private readonly runScope = new CancellationScope();
  readonly health = new Map<string, ComponentHealth>();
  /** Every object this run applied (or, for steps kept by a restart, would have applied). */
  private readonly applied = new Map<string, InventoryEntry>();
  private unreported: InventoryEntry[] = [];
  finished = false;
  private finalReportSent = false;
  endTime: string | undefined;
  readonly startTime = new Date().toISOString();

  private readonly compute: ReturnType<typeof acts.localComputeActivities>;
  private readonly cluster: ReturnType<typeof acts.clusterActivities>;
  private readonly healthChecks: ReturnType<typeof acts.healthActivities>;

  constructor(readonly input: RevisionWorkflowInput) {
    this.plan = planWorkflow(input.snapshot);
    // Revisions started by an older entity lack newer settings: they get the defaults.
    const settings = { ...DEFAULT_ENGINE_SETTINGS, ...input.settings };
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

  // -------------------------------------------------------------------------------------------
  // Execution

  /** Runs every step, then collects what the previous revisions applied and this one does not. */
  async execute(): Promise<void> {
    this.publishVisibility();
    try {
      await this.runScope.run(async () => {
        await this.keepStepsBeforeRestart();
        const failed = await this.runSteps(this.plan.steps, this.plan.mode.steps);
        if (failed) {
          this.finish('Failed', `step ${failed} failed`);
          return;
        }
        await this.collectGarbage();
        this.finish('Succeeded', undefined);
      });
    } catch (err) {
      if (!isCancellation(err)) throw err;
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
      if (stop.kind === 'supersede') throw err;
      return;
    }
    await this.flushReport();
    this.finalReportSent = true;
  }

  private async keepStepsBeforeRestart(): Promise<void> {
    const from = this.input.restartFromStep;
    if (!from) return;
    for (const step of this.plan.steps) {
      if (step.name === from) return;
      const entry = this.byName.get(step.name);
      if (!entry) continue;
      entry.status.phase = 'succeeded';
      entry.status.message = 'kept from the previous run';
      // Their objects stay deployed; render them so garbage collection keeps them too.
      for (const s of [step, ...(step.subSteps ?? [])]) {
        if (s.type !== 'deploy' && s.type !== 'apply-component') continue;
        const rendered = await this.compute.renderStep(
          stepRenderRequest(this.input.snapshot, this.revision, s),
        );
        for (const r of rendered.resources) this.recordApplied(r.cluster, r.object);
      }
    }
  }

  /** Runs steps in order or as a DAG; returns the name of the first failed step, if any. */
  private async runSteps(steps: PlannedStep[], mode: Mode): Promise<string | undefined> {
    let firstFailure: string | undefined;
    const runOne = async (step: PlannedStep) => {
      const entry = this.byName.get(step.name);
      if (!entry || entry.status.phase !== 'pending') return;
      const status: StepStatus = entry.status;
      await this.runStep(step, status, firstFailure !== undefined);
      if (status.phase === 'failed') firstFailure ??= step.name;
    };
    if (mode === 'StepByStep') {
      for (const step of steps) await runOne(step);
    } else {
      const done = (name: string) => {
        const phase = this.byName.get(name)?.status.phase;
        return phase === 'succeeded' || phase === 'failed' || phase === 'skipped';
      };
      await Promise.all(
        steps.map(async (step) => {
          await condition(() => step.dependsOn.every(done));
          await runOne(step);
        }),
      );
    }
    return firstFailure;
  }

  private async runStep(step: PlannedStep, status: StepStatus, earlierFailed: boolean): Promise<void> {
    const statuses = Object.fromEntries(
      [...this.byName.entries()].map(([name, e]) => [
        name,
        { phase: e.status.phase, reason: e.status.reason },
      ]),
    );
    const dependencyFailed = step.dependsOn.some((d) => this.byName.get(d)?.status.phase === 'failed');
    const shouldRun =
      step.if !== undefined ? evaluateStepCondition(step.if, statuses) : !earlierFailed && !dependencyFailed;
    if (!shouldRun) {
      status.phase = 'skipped';
      status.reason = 'Skip';
      status.message = step.if !== undefined ? `if: ${step.if} is false` : 'an earlier step failed';
      this.publishVisibility();
      return;
    }

    await this.waitUntilReleased(step, status);
    const now = new Date().toISOString();
    status.firstExecuteTime ??= now;
    status.lastExecuteTime = now;
    status.phase = 'running';
    delete status.message;
    this.publishVisibility();

    const scope = new CancellationScope();
    let timedOut = false;
    let waitingFor: string[] = [];
    const timer = new CancellationScope({ cancellable: true });
    if (step.timeoutMs !== undefined) {
      void timer
        .run(async () => {
          await sleep(step.timeoutMs ?? 0);
          // Ask what the step is waiting for before stopping it: a retrying health check's
          // last failure is not visible to workflow code otherwise.
          const info = workflowInfo();
          waitingFor = await acts.control.waitingReasons({ workflowId: info.workflowId, runId: info.runId });
          timedOut = true;
          scope.cancel();
        })
        .catch(() => undefined);
    }
    try {
      await scope.run(() => this.executeStep(step, status));
      status.phase = 'succeeded';
      delete status.message;
      delete status.reason;
    } catch (err) {
      if (timedOut) {
        status.phase = 'failed';
        status.reason = 'Timeout';
        const last = waitingFor.length > 0 ? waitingFor.join('; ') : (status.message as string | undefined);
        status.message = `step did not finish within ${formatDuration(step.timeoutMs ?? 0)}${last ? `: ${last}` : ''}`;
        this.markRunningSteps('failed', 'Timeout', 'parent step timed out', status.subSteps);
      } else if (isCancellation(err)) {
        throw err;
      } else {
        status.phase = 'failed';
        status.reason = 'Failed';
        status.message = failureMessage(err);
      }
    } finally {
      timer.cancel();
      status.lastExecuteTime = new Date().toISOString();
      this.publishVisibility();
    }
  }

  /** Waits while the whole run or this step is suspended. */
  private async waitUntilReleased(step: PlannedStep, status: StepStatus): Promise<void> {
    const held = () => this.suspendedAll || this.suspendedSteps.has(step.name);
    if (!held()) return;
    status.phase = 'suspending';
    status.message = 'suspended: resume with `revela workflow resume`';
    this.refreshStatus();
    this.publishVisibility();
    await condition(() => !held());
    delete status.message;
    this.refreshStatus();
  }

  private async executeStep(step: PlannedStep, status: StepStatus): Promise<void> {
    switch (step.type) {
      case 'deploy':
        if (step.properties.auto === false)
          await this.waitForResume(step, status, 'waiting for approval', undefined);
        await this.deploy(step, status);
        return;
      case 'apply-component':
        await this.deploy(step, status);
        return;
      case 'suspend': {
        const duration = step.properties.duration;
        await this.waitForResume(
          step,
          status,
          typeof duration === 'string'
            ? `suspended for ${duration} or until resumed`
            : 'suspended by a suspend step',
          typeof duration === 'string' ? parseDuration(duration) : undefined,
        );
        return;
      }
      case 'step-group': {
        const failed = await this.runSteps(step.subSteps ?? [], this.plan.mode.subSteps);
        if (failed) throw ApplicationFailure.nonRetryable(`sub-step ${failed} failed`, 'StepFailed');
        return;
      }
      default:
        // planWorkflow validated step types at publish; this would be a snapshot from a newer Revela.
        throw ApplicationFailure.nonRetryable(
          `step type ${step.type} is not supported by this worker`,
          'UnknownStepType',
        );
    }
  }

  private async waitForResume(
    step: PlannedStep,
    status: StepStatus,
    why: string,
    durationMs: number | undefined,
  ): Promise<void> {
    this.resumedSteps.delete(step.name);
    status.phase = 'suspending';
    status.message = `${why}: resume with \`revela workflow resume ${this.input.app.name}\``;
    this.refreshStatus();
    this.publishVisibility();
    await condition(() => this.resumedSteps.has(step.name), durationMs ?? undefined);
    status.phase = 'running';
    delete status.message;
    this.refreshStatus();
    this.publishVisibility();
  }

  /** render (activity) → apply per object, clusters in parallel up to `parallelism` → wait healthy. */
  private async deploy(step: PlannedStep, status: StepStatus): Promise<void> {
    status.message = 'rendering';
    this.publishVisibility();
    const rendered = await this.compute.renderStep(
      stepRenderRequest(this.input.snapshot, this.revision, step),
    );
    const parallelism =
      typeof step.properties.parallelism === 'number' ? Math.max(1, step.properties.parallelism) : 5;

    const byCluster = new Map<string, typeof rendered.resources>();
    for (const r of rendered.resources) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r]);
    const clusters = [...new Set([...byCluster.keys(), ...Object.keys(rendered.health)])];

    status.message = 'applying';
    this.publishVisibility();
    await boundedAll(clusters, parallelism, async (cluster) => {
      for (const { object } of byCluster.get(cluster) ?? []) {
        await this.cluster.applyResource.executeWithOptions(
          { summary: `apply ${objectLabel({ kind: object.kind, name: object.metadata.name })} → ${cluster}` },
          [{ cluster, object, revision: this.revision }],
        );
        this.recordApplied(cluster, object);
      }
      // Not awaited: the health checks need not wait for the entity to hear about the applies.
      void this.flushReport();
    });

    status.message = 'wait healthy';
    this.publishVisibility();
    await boundedAll(clusters, parallelism, async (cluster) => {
      const targets: HealthTarget[] = rendered.health[cluster] ?? [];
      if (targets.length === 0) return;
      const result = await this.healthChecks.checkHealth.executeWithOptions(
        {
          summary: `wait healthy ${targets.map((t) => `${t.namespace}/${t.component}`).join(', ')} → ${cluster}`,
        },
        [{ cluster, revision: this.revision, targets }],
      );
      for (const h of result) this.health.set(`${h.cluster}/${h.namespace}/${h.component}`, h);
      this.publishVisibility();
    });
  }

  private recordApplied(
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
    this.unreported.push(entry);
  }

  /** After success: delete what earlier revisions applied and this one no longer renders. */
  private async collectGarbage(): Promise<void> {
    const keepLegacy = (this.input.snapshot.application.spec.policies ?? []).some(
      (p) =>
        p.type === 'garbage-collect' &&
        (p.properties as { keepLegacyResource?: boolean } | undefined)?.keepLegacyResource === true,
    );
    const stale = this.input.inventory.filter((e) => !this.applied.has(inventoryKey(e)));
    if (keepLegacy || stale.length === 0) return;
    const deleted = await this.cluster.collectGarbage.executeWithOptions(
      { summary: `collect ${stale.length} object(s) ${this.revision} no longer renders` },
      [{ entries: stale }],
    );
    void this.report({ deleted });
  }

  // -------------------------------------------------------------------------------------------
  // Status, reports and visibility

  private markRunningSteps(
    phase: 'failed',
    reason: string,
    message: string,
    steps: StepStatus[] = this.steps,
  ): void {
    for (const s of steps) {
      if (s.phase === 'running' || s.phase === 'suspending') {
        s.phase = phase;
        s.reason = reason;
        s.message = message;
      }
      if (s.subSteps) this.markRunningSteps(phase, reason, message, s.subSteps);
    }
  }

  private refreshStatus(): void {
    if (this.finished) return;
    const anySuspending = (steps: StepStatus[]): boolean =>
      steps.some((s) => s.phase === 'suspending' || (s.subSteps ? anySuspending(s.subSteps) : false));
    this.setStatus(this.suspendedAll || anySuspending(this.steps) ? 'Suspended' : 'Executing');
  }

  private setStatus(status: RevisionStatus): void {
    if (this.status === status) return;
    this.status = status;
    void this.report({});
  }

  private finish(status: RevisionStatus, message: string | undefined): void {
    this.status = status;
    this.message = message;
    this.finished = true;
    this.endTime = new Date().toISOString();
    this.publishVisibility();
    // A closed workflow answers queries only by replaying its whole history; its final view in the
    // memo is read with a plain describe instead.
    upsertMemo({ run: this.statusView() });
  }

  private async flushReport(): Promise<void> {
    await this.report({});
  }

  /** Tells the entity the current status and the objects applied since the last report. */
  private async report(extra: Pick<RevisionReport, 'deleted'>): Promise<void> {
    const applied = this.unreported;
    this.unreported = [];
    const report: RevisionReport = {
      revision: this.revision,
      runId: workflowInfo().runId,
      status: this.status,
      ...(this.message !== undefined ? { message: this.message } : {}),
      ...(this.endTime ? { endTime: this.endTime } : {}),
      ...(applied.length > 0 ? { applied } : {}),
      ...extra,
    };
    try {
      await getExternalWorkflowHandle(this.input.applicationWorkflowId).signal(revisionReportSignal, report);
    } catch (err) {
      // The entity is gone (deleted by an operator) or this scope was cancelled mid-signal: the
      // final report is sent again from a non-cancellable scope, so nothing else to do here.
      if (!isCancellation(err) && !(err instanceof Error)) throw err;
    }
  }

  /** Search attribute, memo and the markdown the Temporal UI shows as "current details". */
  publishVisibility(): void {
    upsertSearchAttributes([{ key: RevelaPhase, value: this.status }]);
    upsertMemo({ status: this.status, ...(this.message ? { message: this.message } : {}) });
    setCurrentDetails(renderDetails(this));
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, in a replay-stable order. */
async function boundedAll<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

function escapeCell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown step table shown in the Temporal UI for a revision. */
export function renderDetails(run: RevisionRun): string {
  const r = run.input.revision;
  const rows: string[] = [];
  const walk = (steps: StepStatus[], depth: number) => {
    for (const s of steps) {
      rows.push(
        `| ${'↳ '.repeat(depth)}${escapeCell(s.name)} | ${s.type} | ${s.phase} | ${escapeCell(s.message)} |`,
      );
      if (s.subSteps) walk(s.subSteps, depth + 1);
    }
  };
  walk(run.steps, 0);
  const health = [...run.health.values()].map(
    (h) =>
      `| ${h.cluster} | ${h.namespace} | ${h.component} | ${h.healthy ? 'Healthy' : 'Unhealthy'} | ${escapeCell(h.message)} |`,
  );
  return [
    `## ${r.name} · ${run.status}`,
    '',
    `publishVersion \`${r.publishVersion ?? '-'}\` · hash \`${r.hash}\` · ${run.plan.steps.length} step(s), ${run.plan.mode.steps}` +
      (r.sourceRevision ? ` · re-published from ${r.sourceRevision}` : ''),
    ...(run.message ? ['', `**${escapeCell(run.message)}**`] : []),
    '',
    '| step | type | phase | message |',
    '|---|---|---|---|',
    ...rows,
    ...(health.length > 0
      ? ['', '| cluster | namespace | component | health | message |', '|---|---|---|---|---|', ...health]
      : []),
  ].join('\n');
}
