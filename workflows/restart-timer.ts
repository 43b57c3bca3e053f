import { sleep } from '@temporalio/workflow';
import * as acts from './activities.js';

export interface RestartTimerInput {
  namespace: string;
  name: string;
  /** The revision whose restart-workflow step scheduled the restart. */
  revision: string;
  /** When, in epoch milliseconds. */
  atMs: number;
}

/**
 * `restart/<ns>/<revision>/<id>`: the timer of a restart-workflow step. It outlives the revision
 * run that started it (that run must close before the entity can start the same revision again),
 * then asks the entity to restart — which it declines when another revision is current by then.
 */
export async function restartTimer(input: RestartTimerInput): Promise<string> {
  const wait = input.atMs - Date.now();
  if (wait > 0) await sleep(wait);
  return acts.control.requestRestart(input);
}
