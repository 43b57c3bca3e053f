import { describe, expect, inject, it } from 'vitest';
import { loadHistoryFixtures, replayFixtures } from '../harness/histories.js';

/**
 * Every committed history replays against today's workflow code. A change that would break a
 * running workflow (a reordered activity, a new timer without `patched`) fails here, not in
 * production.
 */
describe('replay of committed histories', () => {
  it('covers every workflow type, a superseded revision and an entity that continued as new', async () => {
    const fixtures = await loadHistoryFixtures();
    expect(new Set(fixtures.map((f) => f.workflowType))).toEqual(
      new Set(['application', 'revision', 'catalog']),
    );
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining(['revision-superseded', 'application-continued-as-new', 'revision-republished']),
    );
  });

  it('replays every fixture without a determinism violation', async () => {
    const fixtures = await loadHistoryFixtures();
    const results = await replayFixtures(fixtures, { codePath: inject('workflowBundlePath') });
    expect(results.map((r) => ({ name: r.name, error: r.error?.message }))).toEqual(
      fixtures.map((f) => ({ name: f.name, error: undefined })),
    );
  });
});
