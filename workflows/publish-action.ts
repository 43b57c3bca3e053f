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
import { isFinalStatus } from '../model/revision.js';
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
  return exclusive(
    mutex,
    () => resolve(ctx, application),
    async (snapshot) => {
      ctx.state.draft = application;
      const decision = applyDecision(ctx.state, application, snapshot);
      if (!decision.publish) {
        ctx.audit('apply', decision.revision, decision.audit);
        return { published: false, message: decision.message };
      }
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
  return exclusive(mutex, prepare, async ({ snapshot, source }) => {
    // Checked again under the lock: another publish may have taken this version meanwhile.
    rule(() => checkPublishVersionFree(ctx.state, req.publishVersion));
    if (!source) ctx.state.draft = snapshot.application;
    return publishSnapshot(ctx, snapshot, req.publishVersion, source);
  });
}

/**
 * Allocates the next number, supersedes the running revision, starts the new one — and only once
 * it started makes it current. A revision whose workflow did not start stays `Failed` and the
 * request is rejected with `StartFailed`.
 */
async function publishSnapshot(
  ctx: EntityContext,
  snapshot: RevisionSnapshot,
  publishVersion: string | undefined,
  sourceRevision: string | undefined,
): Promise<PublishedRevision> {
  const { state } = ctx;
  const now = () => new Date().toISOString();
  const meta = allocateRevision(state, { snapshot, publishVersion, sourceRevision, now: now() });
  const previous = currentRevision(state);
  let superseded: string | undefined;
  if (previous && !isFinalStatus(previous.status)) {
    await supersede(ctx, previous, meta.name, 'superseded');
    superseded = previous.name;
  }
  recordAllocated(state, meta, snapshot);
  let runId: string;
  try {
    runId = await startRevision(ctx, meta, snapshot, undefined);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    recordStartFailed(meta, message, now());
    ctx.audit('start-failed', meta.name, `${meta.name} did not start: ${message}`);
    ctx.publishVisibility();
    throw reject(RejectionType.StartFailed, `${meta.name} did not start: ${message}`);
  }
  recordStarted(state, meta, runId);
  ctx.audit(
    sourceRevision ? 'republish' : 'publish',
    meta.name,
    `published ${meta.name}${publishVersion ? ` (${publishVersion})` : ''} hash ${snapshot.hash}` +
      (sourceRevision ? ` from ${sourceRevision}` : '') +
      (superseded ? `, superseding ${superseded}` : ''),
  );
  const limit = revisionLimit(state, state.settings.revisionLimit);
  for (const { name, why } of prune(state, { limit, budgetBytes: state.settings.stateBudgetBytes })) {
    ctx.audit('prune', name, `pruned ${name}: ${why}`);
  }
  ctx.publishVisibility();
  return {
    revision: meta.name,
    number: meta.number,
    hash: snapshot.hash,
    ...(publishVersion !== undefined ? { publishVersion } : {}),
    workflowId: meta.workflowId,
    ...(superseded ? { superseded } : {}),
  };
}
