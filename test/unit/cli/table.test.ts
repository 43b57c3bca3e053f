import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, formatTime } from '../../../cli/output/format-time.js';
import { colorsEnabled, createPalette, PLAIN, stripAnsi } from '../../../cli/output/palette.js';
import { formatStructured } from '../../../cli/output/structured.js';
import { formatTable } from '../../../cli/output/table.js';

describe('tables', () => {
  it('pads every column to its widest cell, one space apart, with no trailing whitespace', () => {
    const text = formatTable(
      ['NAME', 'STATUS', 'SIZE'],
      [
        ['podinfo-v1', 'Succeeded', '23.7 KiB'],
        ['podinfo-v10', 'Failed', '1 B'],
      ],
    );
    expect(text).toBe(
      ['NAME        STATUS    SIZE', 'podinfo-v1  Succeeded 23.7 KiB', 'podinfo-v10 Failed    1 B'].join(
        '\n',
      ),
    );
  });

  it('keeps columns aligned when cells are coloured', () => {
    const palette = createPalette(true);
    const text = formatTable(
      ['A', 'B'],
      [
        [{ text: 'ok', style: 'green' }, 'x'],
        ['longer', 'y'],
      ],
      { palette },
    );
    expect(text).toContain('\u001b[32m');
    expect(stripAnsi(text)).toBe(['A      B', 'ok     x', 'longer y'].join('\n'));
  });
});

describe('colours', () => {
  it('are on only on a TTY without NO_COLOR', () => {
    expect(colorsEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorsEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorsEnabled({}, {})).toBe(false);
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('leave text untouched when off', () => {
    expect(PLAIN.paint('red', 'Failed')).toBe('Failed');
    expect(createPalette(true).paint('red', 'Failed')).toBe('\u001b[31mFailed\u001b[39m');
  });
});

describe('times and sizes', () => {
  it('prints times as YYYY-MM-DD HH:MM:SS in local time', () => {
    expect(formatTime(new Date(2022, 3, 13, 20, 45, 19).toISOString())).toBe('2022-04-13 20:45:19');
    expect(formatTime(undefined)).toBe('-');
    expect(formatTime('not a time')).toBe('-');
  });

  it('prints sizes as KubeVela does', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(24_269)).toBe('23.7 KiB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MiB');
  });

  it('prints durations briefly', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(3_210)).toBe('3.2s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});

describe('-o json|yaml', () => {
  it('prints the value itself', () => {
    expect(formatStructured({ a: [1, 2] }, 'json')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatStructured({ a: [1, 2] }, 'yaml')).toBe('a:\n  - 1\n  - 2');
  });
});
