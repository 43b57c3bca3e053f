import { describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import type { InventoryEntry } from '../../model/inventory.js';
import { Rejection } from '../../model/rejection.js';
import {
  allocateRevision,
  appendAudit,
  applyDecision,
  applyReport,
  AUDIT_LIMIT,
  checkPublishVersionFree,
  phaseOf,
  prune,
  recordAllocated,
  recordRollback,
  recordStarted,
  recordStartFailed,
  recordStopped,
  revisionLimit,
  rollbackTarget,
  staleEntries,
  type RevisionHistory,
} from '../../model/revision-history.js';
import type { RevisionStatus } from '../../model/revision.js';
import type { RevisionSnapshot } from '../../model/snapshot.js';
import { emptyHistory, snapshotOf } from './helpers/revision-history.js';

const NOW = '2026-12-01T10:00:00.000Z';

function app(publishVersion?: string, policies: Application['spec']['policies'] = []): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name: 'podinfo',
      namespace: 'examples',
      ...(publishVersion ? { annotations: { 'app.oam.dev/publishVersion': publishVersion } } : {}),
    },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'podinfo' } }], policies },
  };
}

function snapshot(hash: string, application = app(), size = 100): RevisionSnapshot {
  return snapshotOf(application, hash, size);
}

/** Publishes a revision the way the entity does (allocate, record, start) and ends it with `status`. */
function publish(h: RevisionHistory, hash: string, status: RevisionStatus, publishVersion?: string) {
  const snap = snapshot(hash.padEnd(16, '0'), app(publishVersion));
  const meta = allocateRevision(h, { snapshot: snap, publishVersion, sourceRevision: undefined, now: NOW });
  recordAllocated(h, meta, snap);
  recordStarted(h, meta, `run-${meta.name}`);
  applyReport(h, { revision: meta.name, runId: `run-${meta.name}`, status });
  return meta;
}

function entry(name: string, revision: string, cluster = 'hangzhou1'): InventoryEntry {
  return { cluster, apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'examples', name, revision };
}

function rejectionOf(fn: () => unknown): Rejection {
  try {
    fn();
  } catch (err) {
    if (err instanceof Rejection) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('revision numbers', () => {
  it('names revisions <app>-v<N> with N strictly increasing, never reusing a pruned number', () => {
    const h = emptyHistory();
    for (let i = 0; i < 4; i++) publish(h, `a${i}`, 'Succeeded');
    prune(h, { limit: 2, budgetBytes: Infinity });
    expect(h.revisions.map((r) => r.name)).toEqual(['podinfo-v3', 'podinfo-v4']);
    expect(publish(h, 'a5', 'Executing').name).toBe('podinfo-v5');
  });

  it('keeps a revision whose workflow did not start as Failed, with its number used and the current one unchanged', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    const snap = snapshot('b'.repeat(16));
    const meta = allocateRevision(h, {
      snapshot: snap,
      publishVersion: 'v2',
      sourceRevision: undefined,
      now: NOW,
    });
    recordAllocated(h, meta, snap);
    recordStartFailed(meta, 'workflow id in use', NOW);
    expect(h.current).toBe('podinfo-v1');
    expect(meta).toMatchObject({
      name: 'podinfo-v2',
      status: 'Failed',
      description: 'did not start: workflow id in use',
    });
    expect(
      allocateRevision(h, { snapshot: snap, publishVersion: 'v3', sourceRevision: undefined, now: NOW })
        .number,
    ).toBe(3);
  });

  it('marks a re-published revision with its source', () => {
    const h = emptyHistory();
    const meta = allocateRevision(h, {
      snapshot: snapshot('c'.repeat(16)),
      publishVersion: 'beta1',
      sourceRevision: 'podinfo-v1',
      now: NOW,
    });
    expect(meta).toMatchObject({ sourceRevision: 'podinfo-v1', description: 're-published from podinfo-v1' });
  });
});

describe('apply and publish rules', () => {
  it('publishes a new publishVersion and only saves an edit under the current one', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded', 'alpha1');
    expect(applyDecision(h, app('alpha2'), { hash: 'x' })).toEqual({
      publish: true,
      publishVersion: 'alpha2',
    });
    const saved = applyDecision(h, app('alpha1'), { hash: 'changed' });
    expect(saved).toMatchObject({
      publish: false,
      audit: 'draft saved; nothing runs until a new publishVersion',
    });
  });

  it('publishes a draft without publishVersion only when its hash changed', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Succeeded');
    expect(applyDecision(h, app(), { hash: v1.hash })).toMatchObject({ publish: false, audit: 'no change' });
    expect(applyDecision(h, app(), { hash: 'other' })).toEqual({ publish: true, publishVersion: undefined });
  });

  it('refuses the current publishVersion with PublishVersionInUse', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Executing', 'alpha1');
    expect(rejectionOf(() => checkPublishVersionFree(h, 'alpha1')).type).toBe('PublishVersionInUse');
    expect(() => checkPublishVersionFree(h, 'alpha2')).not.toThrow();
  });
});

describe('rollback target', () => {
  it('is the latest succeeded revision other than the current one', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    publish(h, 'a2', 'Succeeded');
    publish(h, 'a3', 'Failed');
    expect(rollbackTarget(h, undefined).name).toBe('podinfo-v2');
  });

  it('refuses a --to revision that did not succeed, is current, or is not retained', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Failed');
    publish(h, 'a2', 'Succeeded');
    expect(rejectionOf(() => rollbackTarget(h, 'podinfo-v1')).type).toBe('NoSucceededRevision');
    expect(rejectionOf(() => rollbackTarget(h, 'podinfo-v2')).message).toBe(
      'podinfo-v2 is already the current revision',
    );
    expect(rejectionOf(() => rollbackTarget(h, 'podinfo-v9')).message).toBe(
      'revision podinfo-v9 not found (retained: podinfo-v1, podinfo-v2)',
    );
  });

  it('says when there is nothing to roll back to', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    expect(rejectionOf(() => rollbackTarget(h, undefined)).message).toBe(
      'examples/podinfo has no succeeded revision other than the current one to roll back to',
    );
  });

  it('records a rollback only as a whole: the left revision RolledBack, the target current, the inventory updated', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    const v2 = publish(h, 'a2', 'Executing');
    h.inventory = [entry('web', 'podinfo-v2'), entry('extra', 'podinfo-v2')];
    const applied = [entry('web', 'podinfo-v1')];
    const stale = staleEntries(h, applied);
    expect(stale.map((e) => e.name)).toEqual(['extra']);
    recordRollback(h, { from: v2, target: 'podinfo-v1', applied, deleted: stale, now: NOW });
    expect(h.current).toBe('podinfo-v1');
    expect(v2).toMatchObject({
      status: 'RolledBack',
      succeeded: false,
      description: 'rolled back to podinfo-v1',
    });
    expect(h.inventory).toEqual([entry('web', 'podinfo-v1')]);
  });
});

describe('retention', () => {
  it('never prunes the current, the latest succeeded or a running revision', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    publish(h, 'a2', 'Executing');
    h.current = 'podinfo-v2';
    for (let i = 3; i <= 5; i++) publish(h, `a${i}`, 'Failed');
    h.current = 'podinfo-v5';
    const dropped = prune(h, { limit: 1, budgetBytes: Infinity });
    expect(dropped.map((d) => d.name)).toEqual(['podinfo-v3', 'podinfo-v4']);
    expect(h.revisions.map((r) => r.name)).toEqual(['podinfo-v1', 'podinfo-v2', 'podinfo-v5']);
    expect(h.snapshots['podinfo-v3']).toBeUndefined();
  });

  it('prunes further while retained snapshots exceed the budget', () => {
    const h = emptyHistory();
    for (let i = 1; i <= 4; i++) publish(h, `a${i}`, 'Failed');
    const dropped = prune(h, { limit: 10, budgetBytes: 250 });
    expect(dropped).toEqual([
      { name: 'podinfo-v1', why: 'retained snapshots exceed 250 bytes' },
      { name: 'podinfo-v2', why: 'retained snapshots exceed 250 bytes' },
    ]);
  });

  it("takes the limit from the current revision's garbage-collect policy", () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    h.snapshots['podinfo-v1'] = snapshot(
      'a1'.padEnd(16, '0'),
      app(undefined, [{ name: 'gc', type: 'garbage-collect', properties: { applicationRevisionLimit: 3 } }]),
    );
    expect(revisionLimit(h, 10)).toBe(3);
    expect(revisionLimit(emptyHistory(), 10)).toBe(10);
  });
});

describe('reports', () => {
  it('lets a final status stand against a late report of the same run', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Failed');
    applyReport(h, { revision: v1.name, runId: 'run-podinfo-v1', status: 'Executing' });
    expect(v1.status).toBe('Failed');
  });

  it('ignores a report from a replaced run, and keeps the inventory of a pruned revision', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Executing');
    expect(applyReport(h, { revision: v1.name, runId: 'old-run', status: 'Failed' }).kind).toBe('ignored');
    expect(v1.status).toBe('Executing');
    const gone = applyReport(h, {
      revision: 'podinfo-v0',
      runId: 'x',
      status: 'Succeeded',
      applied: [entry('web', 'podinfo-v0')],
    });
    expect(gone.kind).toBe('inventory');
    expect(h.inventory).toHaveLength(1);
  });

  it('moves the latest succeeded revision forward only', () => {
    const h = emptyHistory();
    publish(h, 'a1', 'Succeeded');
    publish(h, 'a2', 'Succeeded');
    expect(h.latestSucceeded).toBe('podinfo-v2');
    expect(phaseOf(h)).toBe('running');
  });

  it('replaces an inventory entry applied again by a newer revision', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Executing');
    applyReport(h, {
      revision: v1.name,
      runId: 'run-podinfo-v1',
      status: 'Executing',
      applied: [entry('web', 'podinfo-v1')],
    });
    applyReport(h, {
      revision: v1.name,
      runId: 'run-podinfo-v1',
      status: 'Executing',
      applied: [entry('web', 'podinfo-v2')],
    });
    expect(h.inventory).toEqual([entry('web', 'podinfo-v2')]);
  });
});

describe('stopping a revision', () => {
  it('records a run that did not acknowledge as Terminated, and keeps a result it reached on its own', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Executing');
    recordStopped(v1, { reason: 'superseded', by: 'podinfo-v2', acknowledged: false, now: NOW });
    expect(v1).toMatchObject({ status: 'Terminated', description: 'superseded by podinfo-v2', endTime: NOW });
    const v2 = publish(h, 'a2', 'Succeeded');
    recordStopped(v2, { reason: 'superseded', by: 'podinfo-v3', acknowledged: true, now: NOW });
    expect(v2.status).toBe('Succeeded');
  });

  it('keeps a restarted revision as it is: its new run sets the status', () => {
    const h = emptyHistory();
    const v1 = publish(h, 'a1', 'Executing');
    recordStopped(v1, { reason: 'restarted', by: v1.name, acknowledged: false, now: NOW });
    expect(v1.status).toBe('Executing');
  });
});

describe('audit log', () => {
  it('keeps the newest entries first and at most AUDIT_LIMIT of them', () => {
    const h = emptyHistory();
    for (let i = 0; i < AUDIT_LIMIT + 5; i++) {
      appendAudit(h, { action: 'apply', revision: undefined, message: `apply ${i}`, now: NOW });
    }
    expect(h.audit).toHaveLength(AUDIT_LIMIT);
    expect(h.audit[0]?.message).toBe(`apply ${AUDIT_LIMIT + 4}`);
  });
});
