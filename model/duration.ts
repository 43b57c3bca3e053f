/**
 * Durations as KubeVela writes them (Go's `time.ParseDuration` subset): `500ms`, `30s`, `10m`,
 * `1h30m`, `1.5h`. Used by step `timeout` and `suspend.duration`.
 *
 * Workflow-safe.
 */
import { InvalidDocumentError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;

/** Why `text` is not a duration, or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (e) {
    return e instanceof InvalidDocumentError ? e.reason : String(e);
  }
}

/**
 * Milliseconds in a duration such as `1h30m`.
 *
 * @throws InvalidDocumentError when the text is not a duration.
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(text: string): number {
  const invalid = (): InvalidDocumentError =>
    new InvalidDocumentError(
      `invalid duration "${text}": write a number followed by a unit (ms, s, m or h), e.g. 500ms, 30s, 10m, 1h30m`,
    );
  const trimmed = text.trim();
  if (trimmed === '') throw invalid();
  if (trimmed === '0') return 0;
  let total = 0;
  let offset = 0;
  while (offset < trimmed.length) {
    PART.lastIndex = offset;
    const match = PART.exec(trimmed);
    if (!match?.[1] || !match[2]) throw invalid();
    const unit = UNIT_MS[match[2]];
    if (unit === undefined) throw invalid();
    total += Number(match[1]) * unit;
    offset = PART.lastIndex;
  }
  return Math.round(total);
}

/** `5400000` → `1h30m`; `1500` → `1.5s`. The inverse of {@link parseDuration} for display. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms;
  const parts: string[] = [];
  const hours = Math.floor(rest / 3_600_000);
  if (hours > 0) parts.push(`${hours}h`);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  if (minutes > 0) parts.push(`${minutes}m`);
  rest -= minutes * 60_000;
  if (rest > 0)
    parts.push(`${rest % 1000 === 0 ? rest / 1000 : (rest / 1000).toFixed(3).replace(/0+$/, '')}s`);
  return parts.join('');
}
