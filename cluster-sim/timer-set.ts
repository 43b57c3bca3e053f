/**
 * Every timer the simulator starts goes through one of these, so `stop()` can cancel them all and
 * nothing keeps a test process alive. Timers are unref'd: the listening servers, not pending
 * rollouts, are what keep `npm run sim` running.
 */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  set(callback: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.stopped) return undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        callback();
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  clear(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Cancels every pending timer; later `set` calls do nothing. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
