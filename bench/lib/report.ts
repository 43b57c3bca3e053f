import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from source or from `dist/`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** Prints rows as an aligned plain-text table; `left` columns are left-aligned, the rest right. */
export function printTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = [0],
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** The machine a result was measured on, recorded with every result file. */
export function machine(): { node: string; platform: string; cpu: string; cores: number } {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  };
}

/** Writes `bench/results/<name>.json` with the date and machine, and returns its path. */
export function writeResult(name: string, body: Record<string, unknown>): string {
  const out = join(repoRoot(), 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), ...machine(), ...body }, null, 2)}\n`,
  );
  return out;
}
