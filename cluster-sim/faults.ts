/**
 * Fault injection for one simulated cluster. Failures are chosen deterministically — every Nth
 * matching request, or a seeded pseudo-random sequence for a rate — so a test that injects faults
 * gets the same requests failing on every run.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export const VERBS: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export interface FaultConfig {
  /**
   * Share of matching requests that fail, 0..1. With neither this nor `everyNth`, every matching
   * request fails (a status alone means "always").
   */
  readonly errorRate?: number;
  /** Fail exactly every Nth matching request (the Nth, 2Nth, …), counted from when the faults were set. */
  readonly everyNth?: number;
  /** Seed of the pseudo-random sequence behind `errorRate`. @default 1 */
  readonly seed?: number;
  /** HTTP status of injected failures. @default 500 */
  readonly status?: number;
  /** Verbs the faults apply to. @default all */
  readonly verbs?: readonly Verb[];
  /** Delay added before answering every matching request (failed or not). */
  readonly latencyMs?: number;
  /** Connection refused: the cluster's listener is closed until the faults are cleared. */
  readonly partitioned?: boolean;
  /** Sent as `Retry-After` (and in the Status details) with injected failures. */
  readonly retryAfterSeconds?: number;
}

/** mulberry32: tiny, fast and good enough to spread failures evenly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  readonly latencyMs: number;
  readonly fail?: { readonly status: number; readonly retryAfterSeconds?: number };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = mulberry32(1);
  private count = 0;

  get current(): FaultConfig {
    return this.config;
  }

  set(config: FaultConfig): void {
    validateFaultConfig(config);
    this.config = { ...config };
    this.random = mulberry32(config.seed ?? 1);
    this.count = 0;
  }

  clear(): void {
    this.set({});
  }

  decide(verb: Verb): FaultDecision {
    const c = this.config;
    if (c.verbs && !c.verbs.includes(verb)) return { latencyMs: 0 };
    const latencyMs = c.latencyMs ?? 0;
    const injects = c.status !== undefined || c.errorRate !== undefined || c.everyNth !== undefined;
    if (!injects) return { latencyMs };
    this.count++;
    let fail: boolean;
    if (c.everyNth !== undefined) fail = this.count % c.everyNth === 0;
    else if (c.errorRate !== undefined) fail = this.random() < c.errorRate;
    else fail = true;
    if (!fail) return { latencyMs };
    const failure: { status: number; retryAfterSeconds?: number } = { status: c.status ?? 500 };
    if (c.retryAfterSeconds !== undefined) failure.retryAfterSeconds = c.retryAfterSeconds;
    return { latencyMs, fail: failure };
  }
}

export class InvalidFaultConfigError extends Error {
  override readonly name = 'InvalidFaultConfigError';
}

export function validateFaultConfig(config: FaultConfig): void {
  const problems: string[] = [];
  if (config.errorRate !== undefined && !(config.errorRate >= 0 && config.errorRate <= 1))
    problems.push('errorRate must be between 0 and 1');
  if (config.everyNth !== undefined && !(Number.isInteger(config.everyNth) && config.everyNth >= 1))
    problems.push('everyNth must be an integer ≥ 1');
  if (
    config.status !== undefined &&
    !(Number.isInteger(config.status) && config.status >= 400 && config.status <= 599)
  ) {
    problems.push('status must be an HTTP error status (400–599)');
  }
  if (config.latencyMs !== undefined && !(config.latencyMs >= 0)) problems.push('latencyMs must be ≥ 0');
  for (const verb of config.verbs ?? [])
    if (!VERBS.includes(verb)) problems.push(`unknown verb "${verb}" (known: ${VERBS.join(', ')})`);
  if (problems.length > 0) throw new InvalidFaultConfigError(`invalid fault config: ${problems.join('; ')}`);
}
