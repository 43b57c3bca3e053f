import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../model/duration.js';
import { parseRevisionName } from '../model/ids.js';
import { CliUsageError } from './errors.js';

/** `-c N`: a non-negative integer (commander reports a bad value as a usage error). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer, e.g. 2');
  return Number(value);
}

/** A port: 0–65535 (0 picks a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

/** A positive integer such as `--concurrency 20`. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `--timeout 5m`: a Go-style duration. */
export function parseTimeout(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 90s, 5m or 1h');
  }
}

/** `-c, --context N` shared by the diff commands. */
export function contextOption(): Option {
  return new Option(
    '-c, --context <n>',
    'lines of context around each change (default: whole documents)',
  ).argParser(parseCount);
}

/**
 * The application a revision name belongs to: `podinfo-v3` → `podinfo`.
 *
 * @throws CliUsageError for anything that is not `<app>-v<N>`
 */
export function appOfRevision(revision: string): string {
  const parsed = parseRevisionName(revision);
  if (!parsed)
    throw new CliUsageError(`"${revision}" is not a revision name: expected <app>-v<N>, e.g. podinfo-v1`);
  return parsed.app;
}

/** Rejects a revision of another application (`revision diff podinfo other-v1 …`). */
export function checkRevisionOf(app: string, revision: string): void {
  const owner = appOfRevision(revision);
  if (owner !== app)
    throw new CliUsageError(`revision ${revision} belongs to application "${owner}", not "${app}"`);
}
