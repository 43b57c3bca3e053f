import type { AppRef, RevelaClient } from '../client/revela-client.js';
import type { RevisionMetadata } from '../model/revision.js';
import type { CliContext } from './context.js';
import { CommandFailedError } from './errors.js';
import { formatDuration } from './output/format-time.js';
import { ProgressPrinter, progressState } from './output/progress.js';

export interface WaitRevisionOptions {
  readonly timeoutMs: number;
  /** Draw progress on stdout (off for `-o json|yaml`). */
  readonly progress: boolean;
}

/**
 * Waits until a revision ends, showing its steps as they change (redrawn on a terminal, one line
 * per change otherwise).
 *
 * @throws CommandFailedError when it ends Failed, Terminated or RolledBack
 * @throws RequestRejectedError `Timeout` when it has not ended within `timeoutMs`
 */
export async function waitRevision(
  ctx: CliContext,
  client: RevelaClient,
  ref: AppRef,
  revision: string,
  options: WaitRevisionOptions,
): Promise<RevisionMetadata> {
  const started = Date.now();
  const printer = new ProgressPrinter(ctx.io.stdout, ctx.palette());
  const meta = await client.waitForRevision(ref, revision, {
    timeoutMs: options.timeoutMs,
    pollMs: 500,
    ...(options.progress ? { onProgress: (view) => printer.update(progressState(revision, view)) } : {}),
  });
  if (meta.status !== 'Succeeded') {
    throw new CommandFailedError(
      `${revision} ended ${meta.status}${meta.description ? `: ${meta.description}` : ''}`,
    );
  }
  if (options.progress) ctx.print(`${revision} succeeded in ${formatDuration(Date.now() - started)}`);
  return meta;
}
