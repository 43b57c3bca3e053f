import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayResult, type WorkflowBundleOption } from '@temporalio/worker';
import { revelaDataConverter } from '../../client/data-converter.js';

/**
 * Committed histories, one folder per release that recorded them (`0.1.0/`, `0.2.0/`, …). Every
 * history of every release replays against the current workflow code: a release's workers meet
 * the workflows the releases before it started.
 */
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/** The release being developed: new recordings go to its folder. */
export function currentRelease(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Where recordings go: the committed folders, or `REVELA_RECORD_DIR` for a trial run of the
 * recording tests that must leave the fixtures alone.
 */
export function recordingDir(): string {
  return process.env.REVELA_RECORD_DIR ?? HISTORIES_DIR;
}

/** Whether this run records histories (`REVELA_RECORD=1`, as `npm run record:histories` sets). */
export function recording(): boolean {
  return process.env.REVELA_RECORD === '1';
}

/**
 * Records a workflow's history as `test/fixtures/histories/<current release>/<name>.json`, only
 * when recording (`REVELA_RECORD=1`) and only if that file does not exist: a committed history is
 * a contract with the workflows it stands for and is never re-recorded. A changed path gets a new
 * name, or waits for the next release's folder.
 *
 * @returns whether the fixture was written
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<boolean> {
  if (!recording()) return false;
  const dir = join(recordingDir(), currentRelease());
  const path = join(dir, `${name}.json`);
  if (existsSync(path)) return false;
  const history = await handle.fetchHistory();
  await mkdir(dir, { recursive: true });
  const fixture = {
    workflowId: handle.workflowId,
    history: withoutStackTraces(JSON.parse(historyToJSON(history))),
  };
  await writeFile(path, `${JSON.stringify(fixture, null, 1)}\n`);
  return true;
}

export interface HistoryFixture {
  /** `<release>/<file name without .json>`, e.g. `0.1.0/revision-superseded`. */
  readonly name: string;
  readonly release: string;
  readonly workflowId: string;
  readonly workflowType: string;
  readonly history: unknown;
}

/** Release folders under `dir`, oldest first (numeric order: 0.10.0 after 0.9.0). */
export async function releaseFolders(dir = HISTORIES_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && /^\d+\.\d+\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      return x![0]! - y![0]! || x![1]! - y![1]! || x![2]! - y![2]!;
    });
}

/** Every fixture of every release, oldest release first, files in name order. */
export async function loadHistoryFixtures(dir = HISTORIES_DIR): Promise<HistoryFixture[]> {
  const fixtures: HistoryFixture[] = [];
  for (const release of await releaseFolders(dir)) {
    fixtures.push(...(await loadReleaseFixtures(release, dir)));
  }
  return fixtures;
}

export async function loadReleaseFixtures(release: string, dir = HISTORIES_DIR): Promise<HistoryFixture[]> {
  const folder = join(dir, release);
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = JSON.parse(await readFile(join(folder, file), 'utf8')) as {
        workflowId: string;
        history: unknown;
      };
      const history = historyFromJSON(raw.history);
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
      return {
        name: `${release}/${file.replace(/\.json$/, '')}`,
        release,
        workflowId: raw.workflowId,
        workflowType: type,
        history: raw.history,
      };
    }),
  );
}

/**
 * Replays fixtures with `Worker.runReplayHistories`; one result per fixture, in order. Results
 * are matched by position, not workflow id: two releases hold histories of the same entity id.
 */
export async function replayFixtures(
  fixtures: readonly HistoryFixture[],
  bundle: WorkflowBundleOption | { workflowsPath: string },
): Promise<(ReplayResult & { name: string })[]> {
  // The workers' own data converter: large payloads (an entity's state across continue-as-new)
  // are recorded gzip-compressed by its codec.
  const options = {
    ...('workflowsPath' in bundle ? { workflowsPath: bundle.workflowsPath } : { workflowBundle: bundle }),
    dataConverter: revelaDataConverter(),
  };
  const results: (ReplayResult & { name: string })[] = [];
  for await (const result of Worker.runReplayHistories(
    options,
    fixtures.map((f) => ({ workflowId: f.workflowId, history: historyFromJSON(f.history) })),
  )) {
    results.push({ ...result, name: fixtures[results.length]?.name ?? result.workflowId });
  }
  return results;
}

/**
 * Failure stack traces name files of the machine that recorded the history; replay never reads
 * them, so fixtures keep them empty.
 */
export function withoutStackTraces(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStackTraces);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === 'stackTrace' && typeof v === 'string' ? '' : withoutStackTraces(v),
    ]),
  );
}
