import { stringify } from 'yaml';

/** `-o` values every command accepts. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A value as `-o json` (two-space indented) or `-o yaml` prints it, without a trailing newline. */
export function formatStructured(value: unknown, format: Exclude<OutputFormat, 'table'>): string {
  if (format === 'json') return JSON.stringify(value, null, 2);
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd();
}
