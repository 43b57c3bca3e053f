import type { ApplicationStatusView } from '../../client/revela-client.js';
import type { RevisionStatus } from '../../model/revision.js';
import type { StepPhase, StepStatus } from '../../workflows/messages.js';
import { formatDuration } from './format-time.js';
import { PLAIN, stripAnsi, type Palette } from './palette.js';
import { statusStyle, stepPhaseStyle } from './revision-table.js';

/** What `up --wait` shows about one revision at one moment. */
export interface ProgressState {
  readonly revision: string;
  readonly status: RevisionStatus;
  /** The revision's steps (empty once another revision is current). */
  readonly steps: readonly StepStatus[];
  /** Why a step waits (`hangzhou1/examples/podinfo is not healthy: Ready:0/3`). */
  readonly waiting: readonly string[];
  /** Why it ended, for a final status (`superseded by podinfo-v4`). */
  readonly message?: string;
}

export function progressState(revision: string, view: ApplicationStatusView): ProgressState {
  const meta = view.app.revisions.find((r) => r.name === revision);
  const own = view.run?.revision === revision ? view.run : undefined;
  const message = own?.message ?? meta?.description;
  return {
    revision,
    status: meta?.status ?? 'Pending',
    steps: own?.steps ?? [],
    // Sorted: health checks of several clusters finish in any order, and a reorder is no news.
    waiting: own ? [...view.waiting].sort() : [],
    ...(message !== undefined ? { message } : {}),
  };
}

function flatten(steps: readonly StepStatus[], depth = 0): { step: StepStatus; depth: number }[] {
  return steps.flatMap((step) => [{ step, depth }, ...flatten(step.subSteps ?? [], depth + 1)]);
}

/**
 * One plain line per state, for logs and pipes: printed only when it differs from the last one.
 *
 * @example
 * podinfo-v2 Executing: deploy-hangzhou running (wait healthy); waiting: hangzhou1/examples/podinfo is not healthy: Ready:0/3
 */
export function progressLine(state: ProgressState): string {
  const steps = flatten(state.steps)
    .filter(({ step }) => step.phase !== 'pending')
    .map(({ step }) => `${step.name} ${step.phase}${step.message ? ` (${step.message})` : ''}`);
  let line = `${state.revision} ${state.status}`;
  if (steps.length > 0) line += `: ${steps.join(', ')}`;
  if (state.waiting.length > 0) line += `; waiting: ${state.waiting.join('; ')}`;
  return line;
}

const ICON: Record<StepPhase, string> = {
  pending: '○',
  running: '●',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  suspending: '‖',
};

/** The block a terminal redraws in place: the revision, then one line per step. */
export function progressBlock(state: ProgressState, elapsedMs: number, palette: Palette = PLAIN): string[] {
  const lines = [
    `${palette.paint('bold', state.revision)} ${palette.paint(statusStyle(state.status), state.status)} ${palette.paint('dim', `(${formatDuration(elapsedMs)})`)}`,
  ];
  for (const { step, depth } of flatten(state.steps)) {
    const icon = palette.paint(stepPhaseStyle(step.phase), ICON[step.phase]);
    lines.push(
      `${'  '.repeat(depth + 1)}${icon} ${step.name} ${palette.paint('dim', step.type)} ${step.phase}${step.message ? `: ${step.message}` : ''}`,
    );
  }
  for (const w of state.waiting) lines.push(`    ${palette.paint('yellow', w)}`);
  return lines;
}

/** The stream `up --wait` draws on. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Shows progress: on a TTY the block is redrawn in place, elsewhere a line is printed per change.
 */
export class ProgressPrinter {
  private drawn = 0;
  private lastLine: string | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly stream: ProgressStream,
    private readonly palette: Palette,
  ) {}

  update(state: ProgressState): void {
    if (this.stream.isTTY === true) {
      const width = Math.max(20, (this.stream.columns || 100) - 1);
      const lines = progressBlock(state, Date.now() - this.started, this.palette).map((l) =>
        stripAnsi(l).length > width ? stripAnsi(l).slice(0, width - 1) + '…' : l,
      );
      const clear = this.drawn > 0 ? `\u001b[${this.drawn}A\r\u001b[0J` : '';
      this.stream.write(`${clear}${lines.join('\n')}\n`);
      this.drawn = lines.length;
      return;
    }
    const line = progressLine(state);
    if (line !== this.lastLine) {
      this.stream.write(`${line}\n`);
      this.lastLine = line;
    }
  }
}
