/**
 * client-go's work queue, in small: a key is processed by one worker at a time, a key added while
 * it is processed runs once more afterwards (never twice at once), and a failed key comes back
 * after an exponential backoff. Keys are `Kind/namespace/name`; the handler reads the latest
 * object itself, so however many events arrive, the last state is what gets synced.
 */
export interface WorkQueueOptions {
  /** Keys processed at once. @default 4 */
  readonly concurrency?: number;
  /** @default 500 */
  readonly baseBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
  readonly onError?: (key: string, err: unknown, attempt: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handler: (key: string) => Promise<void>,
    private readonly options: WorkQueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Stops taking keys and waits for those in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
    this.queue.length = 0;
    this.queued.clear();
    if (this.running > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (!this.stopped && this.running < concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (err) {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      this.options.onError?.(key, err, attempt);
      const base = this.options.baseBackoffMs ?? 500;
      const delay = Math.min(this.options.maxBackoffMs ?? 30_000, base * 2 ** (attempt - 1));
      if (!this.stopped) {
        clearTimeout(this.retryTimers.get(key));
        this.retryTimers.set(
          key,
          setTimeout(() => {
            this.retryTimers.delete(key);
            this.add(key);
          }, delay),
        );
      }
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
