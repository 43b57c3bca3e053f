import { describe, expect, it } from 'vitest';
import {
  allocateRevision,
  currentRevision,
  recordAllocated,
  recordStarted,
  type RevisionHistory,
} from '../../model/revision-history.js';
import type { Application } from '../../model/application.js';
import { recordStarting, undoStart } from '../../model/revision-start.js';
import { emptyHistory, snapshotOf } from './helpers/revision-history.js';

const NOW = '2026-12-03T10:00:00.000Z';

const APP: Application = {
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name: 'podinfo', namespace: 'examples' },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'podinfo' } }] },
};

/** Allocates and records the next revision, as a publish does before it requests the start. */
function allocate(h: RevisionHistory, hash: string) {
  const snap = snapshotOf(APP, hash.padEnd(16, '0'));
  const meta = allocateRevision(h, {
    snapshot: snap,
    publishVersion: undefined,
    sourceRevision: undefined,
    now: NOW,
  });
  recordAllocated(h, meta, snap);
  return meta;
}

describe('a revision made current as its start is requested', () => {
  it('is current at once, before its start is confirmed', () => {
    const h = emptyHistory();
    const v1 = allocate(h, 'a1');
    recordStarted(h, v1, 'run-1');
    const v2 = allocate(h, 'b2');
    const pending = recordStarting(h, v2);
    expect(h.current).toBe('podinfo-v2');
    expect(pending.previous).toBe('podinfo-v1');
    expect(h.runIds['podinfo-v2']).toBeUndefined();
  });

  it('gives the current place back to the revision before it when the start fails', () => {
    const h = emptyHistory();
    const v1 = allocate(h, 'a1');
    recordStarted(h, v1, 'run-1');
    const v2 = allocate(h, 'b2');
    undoStart(h, recordStarting(h, v2), 'workflow id in use', NOW);
    expect(currentRevision(h)?.name).toBe('podinfo-v1');
    expect(v2).toMatchObject({ status: 'Failed', succeeded: false, endTime: NOW });
    expect(v2.description).toBe('did not start: workflow id in use');
  });

  it('leaves no current revision when the first one fails to start', () => {
    const h = emptyHistory();
    const v1 = allocate(h, 'a1');
    undoStart(h, recordStarting(h, v1), 'namespace not found', NOW);
    expect(h.current).toBeUndefined();
    expect(currentRevision(h)).toBeUndefined();
    expect(v1.status).toBe('Failed');
  });

  it('does not take the current place from a revision that became current meanwhile', () => {
    const h = emptyHistory();
    const v1 = allocate(h, 'a1');
    recordStarted(h, v1, 'run-1');
    const v2 = allocate(h, 'b2');
    const pending = recordStarting(h, v2);
    const v3 = allocate(h, 'c3');
    recordStarted(h, v3, 'run-3');
    undoStart(h, pending, 'workflow id in use', NOW);
    expect(h.current).toBe('podinfo-v3');
    expect(v2.status).toBe('Failed');
  });

  it('keeps the failed revision number used', () => {
    const h = emptyHistory();
    const v1 = allocate(h, 'a1');
    undoStart(h, recordStarting(h, v1), 'workflow id in use', NOW);
    expect(allocate(h, 'b2').number).toBe(2);
  });
});
