/**
 * A first-come, first-served lock for update handlers. Workflow code is single-threaded but
 * handlers interleave at every `await`; publish, rollback and restart each read-modify-write the
 * revision index across several activities, so they run one at a time.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
