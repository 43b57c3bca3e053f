/**
 * ANSI colours for terminal output, on only when the stream is a TTY and `NO_COLOR` is not set
 * (https://no-color.org: any non-empty value turns colours off). Output piped to a file or another
 * program is plain text, so scripts and golden files never see escape codes.
 */

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'gray';

const CODES: Record<Style, readonly [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

export interface Palette {
  readonly enabled: boolean;
  /** `text` in `style`, or `text` unchanged when colours are off. */
  paint(style: Style | undefined, text: string): string;
}

export function createPalette(enabled: boolean): Palette {
  return {
    enabled,
    paint(style, text) {
      if (!enabled || style === undefined || text === '') return text;
      const [open, close] = CODES[style];
      return `\u001b[${open}m${text}\u001b[${close}m`;
    },
  };
}

/** Plain text everywhere: for `-o json|yaml`, tests and non-TTY streams. */
export const PLAIN: Palette = createPalette(false);

/** Whether to colour a stream: a TTY, and `NO_COLOR` unset or empty. */
export function colorsEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Removes ANSI escape sequences (for width computations). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
