import { PLAIN, type Palette, type Style } from './palette.js';

/** A table cell: text, optionally styled (the style never changes the column width). */
export type Cell = string | { readonly text: string; readonly style?: Style | undefined };

export interface TableOptions {
  /** Spaces between columns. @default 1 (KubeVela's tables) */
  readonly gap?: number;
  /** @default plain text */
  readonly palette?: Palette;
  /** Style of the header row. @default none */
  readonly headerStyle?: Style;
}

function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/**
 * Formats rows under upper-case headers, each column as wide as its widest cell, columns
 * separated by `gap` spaces and no trailing whitespace — the layout of `vela revision list`.
 *
 * @example
 * formatTable(['NAME', 'STATUS'], [['podinfo-v1', 'Succeeded']]);
 * // NAME       STATUS
 * // podinfo-v1 Succeeded
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const gap = ' '.repeat(options.gap ?? 1);
  const palette = options.palette ?? PLAIN;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => cellText(r[i] ?? '').length)));
  const line = (cells: readonly Cell[], rowStyle?: Style) => {
    const parts = headers.map((_, i) => {
      const cell = cells[i] ?? '';
      const text = cellText(cell);
      const style = rowStyle ?? (typeof cell === 'string' ? undefined : cell.style);
      const pad = i === headers.length - 1 ? '' : ' '.repeat((widths[i] ?? 0) - text.length);
      return palette.paint(style, text) + pad;
    });
    return parts.join(gap).trimEnd();
  };
  return [line(headers, options.headerStyle), ...rows.map((r) => line(r))].join('\n');
}
