import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../model/duration.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s500ms', 150_500],
    ['0', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10x', 'm10', '1h 30m', '-5s'])('refuses %j with an example of what works', (text) => {
    expect(() => parseDuration(text)).toThrow(
      `invalid duration "${text}": write a number followed by a unit (ms, s, m or h), e.g. 500ms, 30s, 10m, 1h30m`,
    );
  });

  it('formats milliseconds back into the same notation', () => {
    expect([0, 500, 30_000, 5_400_000, 150_500].map(formatDuration)).toEqual([
      '0s',
      '500ms',
      '30s',
      '1h30m',
      '2m30.5s',
    ]);
  });
});
