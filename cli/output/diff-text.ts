import { PLAIN, type Palette } from './palette.js';

/**
 * Colours a live-diff report on a terminal: added lines green, removed lines red, the
 * `* Kind (name) has been …` headers bold. The text itself is unchanged.
 */
export function colorDiff(report: string, palette: Palette = PLAIN): string {
  if (!palette.enabled) return report;
  return report
    .split('\n')
    .map((line) => {
      if (line.startsWith('+')) return palette.paint('green', line);
      if (line.startsWith('-')) return palette.paint('red', line);
      if (line.startsWith('* ')) return palette.paint('bold', line);
      return line;
    })
    .join('\n');
}
