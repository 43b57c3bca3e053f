/** Percentiles of timing samples, the only statistics the benchmarks report. */

export interface Summary {
  runs: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: samples.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
  };
}

export interface MeasureOptions {
  /** Untimed runs first. @default 10 */
  readonly warmup?: number;
  /** At least this many timed runs (p99 needs about 100). @default 100 */
  readonly minRuns?: number;
  /** Keep going until this much time was spent, up to maxRuns. @default 2000 */
  readonly timeBudgetMs?: number;
  /** @default 2000 */
  readonly maxRuns?: number;
}

/** Times `fn` repeatedly (one call at a time) and summarizes. */
export async function measure(fn: (i: number) => unknown, options: MeasureOptions = {}): Promise<Summary> {
  const warmup = options.warmup ?? 10;
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  const minRuns = options.minRuns ?? 100;
  const maxRuns = options.maxRuns ?? 2000;
  const budget = options.timeBudgetMs ?? 2000;
  const started = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - started < budget)) {
    const t0 = performance.now();
    await fn(samples.length);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** `0.870`, `12.3`, `1234`: three significant digits are plenty for timings. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}
