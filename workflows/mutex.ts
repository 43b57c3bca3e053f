/**
 * A first-come, first-served lock for update handlers. Workflow code is single-threaded but
 * handlers interleave at every `await`; publish, rollback and restart each read-modify-write the
 * revision index across several activities, so they run one at a time.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** True while some work holds or waits for the lock (the entity does not continue as new then). */
  get busy(): boolean {
    return this.holders > 0;
  }

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    this.holders++;
    try {
      await previous;
      return await fn();
    } finally {
      this.holders--;
      release();
    }
  }

  /**
   * Like {@link runExclusive}, but `fn` gives its answer before it is done: the returned promise
   * settles with `answer` while the lock is held until `done` settles. A publish answers as it
   * requests its revision's start and keeps the lock until the start is confirmed or failed.
   */
  answerEarly<T>(fn: () => Promise<{ answer: T; done: Promise<void> }>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.runExclusive(async () => {
        const { answer, done } = await fn();
        resolve(answer);
        await done;
      }).catch(reject);
    });
  }
}
