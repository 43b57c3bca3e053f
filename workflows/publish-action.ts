import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { Application } from '../model/application.js';
import { ApplicationSchema, withPublishVersion } from '../model/application.js';
import {
  allocateRevision,
  applyDecision,
  checkPublishVersionFree,
  currentRevision,
  prune,
  recordAllocated,
  recordStarted,
  recordStartFailed,
  requireRevision,
  revisionLimit,
} from '../model/revision-history.js';
import { isFinalStatus, type RevisionMetadata } from '../model/revision.js';
import { recordStarting, undoStart } from '../model/revision-start.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { RESOLVE_NEEDS_ACTIVITY } from './activities.js';
import type { EntityContext } from './entity-context.js';
import { reject, RejectionType, rule } from './failures.js';
import type { ApplyRequest, ApplyResult, PublishedRevision, PublishRequest } from './messages.js';
import type { Mutex } from './mutex.js';
import { Patch } from './patches.js';
import { startRevision } from './start-revision.js';
import { supersede } from './supersede.js';

/**
 * Runs `work` under the entity's mutex, with `prepare` (the resolve activity) inside it — so a
 * concurrent request cannot change the draft or the current revision between the two — or, in
 * histories recorded before that change, before it.
 */
async function exclusive<P, T>(
  mutex: Mutex,
  prepare: () => Promise<P>,
  work: (prepared: P) => Promise<T>,
): Promise<T> {
  if (patched(Patch.mutexFirst)) return mutex.runExclusive(async () => work(await prepare()));
  const prepared = await prepare();
  return mutex.runExclusive(() => work(prepared));
}

/**
 * The resolve activity. Since `Patch.localResolve` it first runs as a local activity in this very
 * workflow task, which answers whenever the catalogs are unchanged since the worker last read them
 * and no `ref-objects` must be read: a publish then costs no activity round trip and no workflow
 * task to hear the result (issue 13). Otherwise it says so at once and the regular activity runs.
 */
async function resolve(ctx: EntityContext, application: Application): Promise<RevisionSnapshot> {
  if (patched(Patch.localResolve)) {
    try {
      return await ctx.callActivity(() => ctx.localCompute.resolveKeptSnapshot({ application }));
    } catch (err) {
      if (!(err instanceof ApplicationFailure && err.type === RESOLVE_NEEDS_ACTIVITY)) throw err;
    }
  }
  return ctx.callActivity(() => ctx.compute.resolveSnapshot({ application }));
}

/** `revela apply`: saves the draft and publishes when the rules say so (ARCHITECTURE §4). */
export function applyAction(ctx: EntityContext, mutex: Mutex, req: ApplyRequest): Promise<ApplyResult> {
  const application = ApplicationSchema.parse(req.application);
  const decide = (snapshot: RevisionSnapshot) => {
    ctx.state.draft = application;
    const decision = applyDecision(ctx.state, application, snapshot);
    if (!decision.publish) ctx.audit('apply', decision.revision, decision.audit);
    return decision;
  };
  if (patched(Patch.answerAtStart)) {
    return mutex.answerEarly<ApplyResult>(async () => {
      const snapshot = await resolve(ctx, application);
      const decision = decide(snapshot);
      if (!decision.publish) return settled({ published: false, message: decision.message });
      const { answer: revision, done } = await publishAtStart(
        ctx,
        snapshot,
        decision.publishVersion,
        undefined,
      );
      return { answer: { published: true, message: `published ${revision.revision}`, revision }, done };
    });
  }
  return exclusive(
    mutex,
    () => resolve(ctx, application),
    async (snapshot) => {
      const decision = decide(snapshot);
      if (!decision.publish) return { published: false, message: decision.message };
      const revision = await publishSnapshot(ctx, snapshot, decision.publishVersion, undefined);
      return { published: true, message: `published ${revision.revision}`, revision };
    },
  );
}

/** `revela up --publish-version V [--revision K]`: publishes the draft, or re-publishes K. */
export function publishAction(
  ctx: EntityContext,
  mutex: Mutex,
  req: PublishRequest,
): Promise<PublishedRevision> {
  const prepare = async (): Promise<{ snapshot: RevisionSnapshot; source: string | undefined }> => {
    if (req.fromRevision !== undefined) {
      const from = rule(() => requireRevision(ctx.state, req.fromRevision as string)).snapshot;
      // The hash excludes the publishVersion annotation, so the copy keeps K's hash.
      return {
        snapshot: { ...from, application: withPublishVersion(from.application, req.publishVersion) },
        source: req.fromRevision,
      };
    }
    const draft = req.application ? ApplicationSchema.parse(req.application) : ctx.state.draft;
    if (!draft) throw reject(RejectionType.NoDraft, `${ctx.state.namespace}/${ctx.state.name} has no draft`);
    return { snapshot: await resolve(ctx, withPublishVersion(draft, req.publishVersion)), source: undefined };
  };
  // Checked again under the lock: another publish may have taken this version meanwhile.
  const take = (snapshot: RevisionSnapshot, source: string | undefined) => {
    rule(() => checkPublishVersionFree(ctx.state, req.publishVersion));
    if (!source) ctx.state.draft = snapshot.application;
  };
  if (patched(Patch.answerAtStart)) {
    return mutex.answerEarly(async () => {
      const { snapshot, source } = await prepare();
      take(snapshot, source);
      return publishAtStart(ctx, snapshot, req.publishVersion, source);
    });
  }
  return exclusive(mutex, prepare, async ({ snapshot, source }) => {
    take(snapshot, source);
    return publishSnapshot(ctx, snapshot, req.publishVersion, source);
  });
}

/** An answer with nothing left to do under the lock. */
function settled<T>(answer: T): { answer: T; done: Promise<void> } {
  return { answer, done: Promise.resolve() };
}

/**
 * Allocates the next number, supersedes the running revision, starts the new one — and only once
 * it started makes it current. A revision whose workflow did not start stays `Failed` and the
 * request is rejected with `StartFailed`. (Runs recorded before `Patch.answerAtStart`.)
 */
async function publishSnapshot(
  ctx: EntityContext,
  snapshot: RevisionSnapshot,
  publishVersion: string | undefined,
  sourceRevision: string | undefined,
): Promise<PublishedRevision> {
  const { state } = ctx;
  const { meta, superseded } = await allocate(ctx, snapshot, publishVersion, sourceRevision);
  let runId: string;
  try {
    runId = await startRevision(ctx, meta, snapshot, undefined);
  } catch (err) {
    const message = startFailure(ctx, meta, err);
    recordStartFailed(meta, message, now());
    ctx.publishVisibility();
    throw reject(RejectionType.StartFailed, `${meta.name} did not start: ${message}`);
  }
  recordStarted(state, meta, runId);
  recordPublished(ctx, meta, snapshot, superseded);
  ctx.publishVisibility();
  return answerOf(meta, snapshot, superseded);
}

/**
 * Allocates the next number, supersedes the running revision, requests the new one's start and
 * makes it current — and answers in this same workflow task, without waiting a second one for the
 * start to be confirmed (issue 13: that wait was half of a publish's round trip). The lock stays
 * held until `done`: when the start fails, the revision is `Failed`, the previous revision current
 * again and the audit says why; the client, which waits for the revision workflow to exist before
 * it returns, reports `StartFailed`.
 */
async function publishAtStart(
  ctx: EntityContext,
  snapshot: RevisionSnapshot,
  publishVersion: string | undefined,
  sourceRevision: string | undefined,
): Promise<{ answer: PublishedRevision; done: Promise<void> }> {
  const { state } = ctx;
  const { meta, superseded } = await allocate(ctx, snapshot, publishVersion, sourceRevision);
  const pending = recordStarting(state, meta);
  const done = startRevision(ctx, meta, snapshot, undefined).then(
    (runId) => recordStarted(state, meta, runId),
    (err: unknown) => {
      undoStart(state, pending, startFailure(ctx, meta, err), now());
      ctx.publishVisibility();
    },
  );
  recordPublished(ctx, meta, snapshot, superseded);
  ctx.publishVisibility();
  return { answer: answerOf(meta, snapshot, superseded), done };
}

/**
 * Allocates the next number, supersedes the running revision (awaited until it stopped) and
 * records the new one with its snapshot: the part both ways of publishing share.
 */
async function allocate(
  ctx: EntityContext,
  snapshot: RevisionSnapshot,
  publishVersion: string | undefined,
  sourceRevision: string | undefined,
): Promise<{ meta: RevisionMetadata; superseded: string | undefined }> {
  const { state } = ctx;
  const meta = allocateRevision(state, { snapshot, publishVersion, sourceRevision, now: now() });
  const previous = currentRevision(state);
  let superseded: string | undefined;
  if (previous && !isFinalStatus(previous.status)) {
    await supersede(ctx, previous, meta.name, 'superseded');
    superseded = previous.name;
  }
  recordAllocated(state, meta, snapshot);
  return { meta, superseded };
}

function now(): string {
  return new Date().toISOString();
}

/** The audit entry of a start that failed; returns the failure's message. */
function startFailure(ctx: EntityContext, meta: RevisionMetadata, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  ctx.audit('start-failed', meta.name, `${meta.name} did not start: ${message}`);
  return message;
}

/** The audit entry of a publish, and the revisions it pruned. */
function recordPublished(
  ctx: EntityContext,
  meta: RevisionMetadata,
  snapshot: RevisionSnapshot,
  superseded: string | undefined,
): void {
  const { state } = ctx;
  ctx.audit(
    meta.sourceRevision ? 'republish' : 'publish',
    meta.name,
    `published ${meta.name}${meta.publishVersion ? ` (${meta.publishVersion})` : ''} hash ${snapshot.hash}` +
      (meta.sourceRevision ? ` from ${meta.sourceRevision}` : '') +
      (superseded ? `, superseding ${superseded}` : ''),
  );
  const limit = revisionLimit(state, state.settings.revisionLimit);
  for (const { name, why } of prune(state, { limit, budgetBytes: state.settings.stateBudgetBytes })) {
    ctx.audit('prune', name, `pruned ${name}: ${why}`);
  }
}

function answerOf(
  meta: RevisionMetadata,
  snapshot: RevisionSnapshot,
  superseded: string | undefined,
): PublishedRevision {
  return {
    revision: meta.name,
    number: meta.number,
    hash: snapshot.hash,
    ...(meta.publishVersion !== undefined ? { publishVersion: meta.publishVersion } : {}),
    workflowId: meta.workflowId,
    ...(superseded ? { superseded } : {}),
  };
}
