import type { ApplicationState } from './entity-context.js';

const REQUEST_MEMORY = 200;

/**
 * Runs each request once per id: a retry of a finished request gets the first answer, even after
 * continue-as-new; a duplicate that arrives while the first is still running joins it (a retried
 * rollback must not go back two revisions).
 */
export class RequestLog {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly state: ApplicationState) {}

  remembered(requestId: string | undefined): { result: unknown } | undefined {
    return requestId ? this.state.requests.find((r) => r.id === requestId) : undefined;
  }

  /** True when `requestId` is answered or being answered: validators then accept the duplicate. */
  known(requestId: string | undefined): boolean {
    return (
      requestId !== undefined && (this.inFlight.has(requestId) || this.remembered(requestId) !== undefined)
    );
  }

  async once<T>(requestId: string | undefined, fn: () => Promise<T>): Promise<T> {
    const seen = this.remembered(requestId);
    if (seen !== undefined) return seen.result as T;
    if (requestId === undefined) return fn();
    const running = this.inFlight.get(requestId);
    if (running) return running as Promise<T>;
    const promise = fn();
    this.inFlight.set(requestId, promise);
    try {
      const result = await promise;
      this.state.requests.push({ id: requestId, result });
      if (this.state.requests.length > REQUEST_MEMORY) this.state.requests.shift();
      return result;
    } finally {
      this.inFlight.delete(requestId);
    }
  }
}
