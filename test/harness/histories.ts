import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayResult, type WorkflowBundleOption } from '@temporalio/worker';

/** Committed histories that replay tests run against the current workflow code. */
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/**
 * Records a workflow's history as a JSON fixture `test/fixtures/histories/<name>.json`. A fixture
 * that exists is only overwritten with `REVELA_RECORD_HISTORIES=1`, so a normal test run never
 * replaces a committed history with one recorded by the code under test.
 *
 * @returns whether the fixture was written
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<boolean> {
  const path = join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(path) && process.env.REVELA_RECORD_HISTORIES !== '1') return false;
  const history = await handle.fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  const fixture = {
    workflowId: handle.workflowId,
    history: withoutStackTraces(JSON.parse(historyToJSON(history))),
  };
  await writeFile(path, `${JSON.stringify(fixture, null, 1)}\n`);
  return true;
}

export interface HistoryFixture {
  readonly name: string;
  readonly workflowId: string;
  readonly workflowType: string;
  readonly history: unknown;
}

export async function loadHistoryFixtures(dir = HISTORIES_DIR): Promise<HistoryFixture[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
        workflowId: string;
        history: unknown;
      };
      const history = historyFromJSON(raw.history);
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
      return {
        name: file.replace(/\.json$/, ''),
        workflowId: raw.workflowId,
        workflowType: type,
        history: raw.history,
      };
    }),
  );
}

/** Replays fixtures with `Worker.runReplayHistories`; one result per fixture, in order. */
export async function replayFixtures(
  fixtures: readonly HistoryFixture[],
  bundle: WorkflowBundleOption | { workflowsPath: string },
): Promise<(ReplayResult & { name: string })[]> {
  const options =
    'workflowsPath' in bundle ? { workflowsPath: bundle.workflowsPath } : { workflowBundle: bundle };
  const results: (ReplayResult & { name: string })[] = [];
  const byId = new Map(fixtures.map((f) => [f.workflowId, f.name]));
  for await (const result of Worker.runReplayHistories(
    options,
    fixtures.map((f) => ({ workflowId: f.workflowId, history: historyFromJSON(f.history) })),
  )) {
    results.push({ ...result, name: byId.get(result.workflowId) ?? result.workflowId });
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
