import { RevelaClientError } from '../client/errors.js';
import { ClusterConfigError, KubeApiError, UnknownClusterError } from '../kube/errors.js';
import { RevelaError } from '../model/errors.js';
import { WorkerConfigError } from '../worker/config.js';

/** Exit codes of every `revela` command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The command line is wrong in a way commander cannot see (a missing `--publish-version`, an
 * invalid revision name): printed with the command's usage, exit code 2.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The command ran and reports a failure it already explained (e.g. a revision ended Failed). */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

/** How a failure is shown: the lines for stderr and the exit code. */
export interface FailureReport {
  readonly lines: string[];
  readonly exitCode: number;
}

function chain(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && depth < 8; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : JSON.stringify(e));
    e = e instanceof Error ? e.cause : undefined;
    if (e !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** Node's file errors, in one line: `cannot read app.yaml: no such file or directory`. */
function fileError(err: NodeJS.ErrnoException): string | undefined {
  if (typeof err.code !== 'string' || typeof err.path !== 'string') return undefined;
  const reason: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
  };
  return `cannot read ${err.path}: ${reason[err.code] ?? err.message}`;
}

/**
 * Turns any error into one line a user can act on — typed errors carry their own messages,
 * which already name the cause and the next step — and an exit code. `debug` (`DEBUG=revela`)
 * adds the stack and causes.
 */
export function describeFailure(err: unknown, debug = false): FailureReport {
  const withStack = (lines: string[]) => (debug ? [...lines, chain(err)] : lines);
  if (err instanceof CliUsageError) {
    return { lines: withStack([`error: ${err.message}`]), exitCode: EXIT_USAGE };
  }
  if (err instanceof CommandFailedError)
    return { lines: withStack([`error: ${err.message}`]), exitCode: EXIT_FAILURE };
  if (
    err instanceof RevelaClientError ||
    err instanceof RevelaError ||
    err instanceof WorkerConfigError ||
    err instanceof ClusterConfigError ||
    err instanceof UnknownClusterError ||
    err instanceof KubeApiError
  ) {
    return { lines: withStack([`error: ${err.message}`]), exitCode: EXIT_FAILURE };
  }
  const file = err instanceof Error ? fileError(err) : undefined;
  if (file) return { lines: withStack([`error: ${file}`]), exitCode: EXIT_FAILURE };
  const message = err instanceof Error ? err.message : JSON.stringify(err);
  return {
    lines: withStack([`error: ${message}${debug ? '' : ' (DEBUG=revela shows the stack)'}`]),
    exitCode: EXIT_FAILURE,
  };
}
