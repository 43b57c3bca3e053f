import { describe, expect, inject, it } from 'vitest';
import { loadHistoryFixtures, loadReleaseFixtures, replayFixtures } from '../harness/histories.js';
import { RELEASE_0_1_0_HISTORIES, REPLAY_PATHS } from './replay-paths.js';

/**
 * Every committed history of every release replays against today's workflow code. Workers of a
 * new release meet the workflows of the releases before it (the entity auto-upgrades; revisions
 * that 0.1.0's unversioned workers started move to the first versioned release), so a change that
 * would break a running workflow (a reordered activity, a new timer without `patched`) fails here,
 * not in production.
 */

describe('replay of committed histories', () => {
  it('keeps the five histories of 0.1.0', async () => {
    const fixtures = await loadReleaseFixtures('0.1.0');
    expect(fixtures.map((f) => f.name)).toEqual(RELEASE_0_1_0_HISTORIES.map((n) => `0.1.0/${n}`));
    expect(new Set(fixtures.map((f) => f.workflowType))).toEqual(
      new Set(['application', 'revision', 'catalog']),
    );
  });

  it('holds a history for every path that matters', async () => {
    const names = new Set((await loadHistoryFixtures()).map((f) => f.name.replace(/^[^/]+\//, '')));
    const missing = REPLAY_PATHS.filter((p) => !p.fixtures.every((f) => names.has(f))).map(
      (p) => `${p.path}: ${p.fixtures.filter((f) => !names.has(f)).join(', ')}`,
    );
    expect(missing, 'record them with `npm run record:histories`').toEqual([]);
  });

  it('replays every history of every release without a determinism violation', async () => {
    const fixtures = await loadHistoryFixtures();
    const results = await replayFixtures(fixtures, { codePath: inject('workflowBundlePath') });
    expect(results.map((r) => ({ name: r.name, error: r.error?.message }))).toEqual(
      fixtures.map((f) => ({ name: f.name, error: undefined })),
    );
  });
});
