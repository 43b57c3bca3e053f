import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkReleaseChecksums, committedManifests } from '../harness/history-checksums.js';
import { HISTORIES_DIR, releaseFolders } from '../harness/histories.js';
import { RELEASE_0_1_0_HISTORIES } from './replay-paths.js';

const execFileAsync = promisify(execFile);

/**
 * Histories are a contract: what a release recorded stands for workflows that may still run, so
 * it is never re-recorded or edited — a new recording goes to the next release's folder.
 */
describe('committed histories never change', () => {
  it('every release folder matches its SHA256SUMS manifest', async () => {
    const releases = await releaseFolders();
    expect(releases).toContain('0.1.0');
    for (const release of releases) {
      expect({ release, problems: await checkReleaseChecksums(release) }).toEqual({ release, problems: [] });
    }
  });

  it('no manifest line that git ever committed was dropped or changed', async () => {
    for (const release of await releaseFolders()) {
      const current = await checkReleaseChecksums(release);
      const history = await committedManifests(release);
      if (history === undefined) return; // not a git clone: the manifest check above still ran
      const { parseChecksums } = await import('../harness/history-checksums.js');
      const now = parseChecksums(await readFile(join(HISTORIES_DIR, release, 'SHA256SUMS'), 'utf8'));
      const rewritten = history.flatMap((manifest) =>
        [...manifest].filter(([file, hex]) => now.get(file) !== hex).map(([file]) => `${release}/${file}`),
      );
      expect({ release, rewritten, current }).toEqual({ release, rewritten: [], current: [] });
    }
  });

  it('the five histories of 0.1.0 are byte for byte those of commit de1c31d', async () => {
    for (const name of RELEASE_0_1_0_HISTORIES) {
      const path = join(HISTORIES_DIR, '0.1.0', `${name}.json`);
      let original: string;
      try {
        ({ stdout: original } = await execFileAsync(
          'git',
          ['show', `de1c31d:test/fixtures/histories/${name}.json`],
          { cwd: HISTORIES_DIR, maxBuffer: 64 * 1024 * 1024 },
        ));
      } catch {
        return; // not a git clone with history; the manifest still pins the bytes
      }
      expect(await readFile(path, 'utf8'), name).toBe(original);
    }
  });
});
