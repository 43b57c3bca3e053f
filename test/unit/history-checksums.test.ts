import { mkdtempSync, mkdirSync, rmSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReleaseChecksums, sealRelease } from '../harness/history-checksums.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A histories folder with one release holding two recorded histories, sealed. */
async function sealedRelease(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'revela-histories-'));
  mkdirSync(join(dir, '1.0.0'));
  writeFileSync(join(dir, '1.0.0', 'a.json'), '{"a":1}\n');
  writeFileSync(join(dir, '1.0.0', 'b.json'), '{"b":2}\n');
  expect(await sealRelease('1.0.0', dir)).toEqual(['a.json', 'b.json']);
  return join(dir, '1.0.0');
}

describe('history manifests', () => {
  it('a sealed release checks clean', async () => {
    await sealedRelease();
    expect(await checkReleaseChecksums('1.0.0', dir)).toEqual([]);
  });

  it('report an edited, a deleted and an unlisted history', async () => {
    const folder = await sealedRelease();
    appendFileSync(join(folder, 'a.json'), ' ');
    unlinkSync(join(folder, 'b.json'));
    writeFileSync(join(folder, 'c.json'), '{}\n');
    expect(await checkReleaseChecksums('1.0.0', dir)).toEqual([
      { file: 'a.json', problem: 'changed' },
      { file: 'b.json', problem: 'missing' },
      { file: 'c.json', problem: 'not listed' },
    ]);
  });

  it('sealing adds new histories and refuses a re-recorded one', async () => {
    const folder = await sealedRelease();
    writeFileSync(join(folder, 'c.json'), '{}\n');
    expect(await sealRelease('1.0.0', dir)).toEqual(['c.json']);
    writeFileSync(join(folder, 'a.json'), '{"a":"re-recorded"}\n');
    await expect(sealRelease('1.0.0', dir)).rejects.toThrow(
      '1.0.0/a.json differs from the history its manifest lists',
    );
  });
});
