import { describe, expect, it } from 'vitest';
import type { ApplicationStatusView } from '../../../client/revela-client.js';
import { formatStatus } from '../../../cli/output/status-view.js';
import { ProgressPrinter, progressLine, progressState } from '../../../cli/output/progress.js';
import { createPalette } from '../../../cli/output/palette.js';

const CREATED = new Date(2022, 3, 13, 19, 32, 3).toISOString();

function waitingView(): ApplicationStatusView {
  const revision = {
    name: 'podinfo-v2',
    number: 2,
    publishVersion: 'alpha2',
    hash: '4acae1a66013283f',
    size: 9000,
    status: 'Executing' as const,
    succeeded: false,
    beginTime: CREATED,
    workflowId: 'rev/examples/podinfo-v2',
  };
  return {
    app: {
      name: 'podinfo',
      namespace: 'examples',
      createdAt: CREATED,
      phase: 'runningWorkflow',
      currentRevision: revision,
      revisions: [revision],
      inventory: [],
      audit: [],
    },
    run: {
      revision: 'podinfo-v2',
      status: 'Executing',
      mode: { steps: 'StepByStep', subSteps: 'DAG' },
      suspended: false,
      terminated: false,
      finished: false,
      steps: [
        {
          id: 'deploy-hangzhou',
          name: 'deploy-hangzhou',
          type: 'deploy',
          phase: 'running',
          message: 'wait healthy',
        },
      ],
      health: [],
      startTime: CREATED,
    },
    services: ['hangzhou1', 'hangzhou2'].map((cluster) => ({
      cluster,
      namespace: 'examples',
      component: 'podinfo',
      type: 'webservice',
      healthy: false,
      message: 'Ready:0/3',
      traits: ['scaler'],
    })),
    waiting: [
      'hangzhou2/examples/podinfo is not healthy: Ready:0/3',
      'hangzhou1/examples/podinfo is not healthy: Ready:0/3',
    ],
  };
}

describe('status', () => {
  it("prints KubeVela's About, Workflow and Services sections, with why a step waits", () => {
    expect(formatStatus(waitingView())).toBe(
      `About:

  Name:       podinfo
  Namespace:  examples
  Created at: 2022-04-13 19:32:03
  Status:     runningWorkflow
  Revision:   podinfo-v2 (alpha2, Executing)

Workflow:

  mode: StepByStep-DAG
  finished: false
  Suspend: false
  Terminated: false
  Steps
  - id: deploy-hangzhou
    name: deploy-hangzhou
    type: deploy
    phase: running
    message: wait healthy
  Waiting:
    hangzhou1/examples/podinfo is not healthy: Ready:0/3
    hangzhou2/examples/podinfo is not healthy: Ready:0/3

Services:

  - Name: podinfo
    Cluster: hangzhou1  Namespace: examples
    Type: webservice
    Unhealthy Ready:0/3
    Traits:
      - scaler
  - Name: podinfo
    Cluster: hangzhou2  Namespace: examples
    Type: webservice
    Unhealthy Ready:0/3
    Traits:
      - scaler`,
    );
  });

  it('says when nothing was published yet', () => {
    const view = waitingView();
    const { currentRevision: _c, ...app } = view.app;
    const text = formatStatus({
      app: { ...app, phase: 'starting', revisions: [] },
      services: [],
      waiting: [],
    });
    expect(text).toContain('  no revision published yet');
  });
});

describe('up --wait progress', () => {
  it('is one stable line per change when not on a terminal', () => {
    const state = progressState('podinfo-v2', waitingView());
    expect(progressLine(state)).toBe(
      'podinfo-v2 Executing: deploy-hangzhou running (wait healthy); waiting: hangzhou1/examples/podinfo is not healthy: Ready:0/3; hangzhou2/examples/podinfo is not healthy: Ready:0/3',
    );
    const written: string[] = [];
    const printer = new ProgressPrinter(
      { write: (t: string) => written.push(t), isTTY: false },
      createPalette(false),
    );
    printer.update(state);
    printer.update(
      progressState('podinfo-v2', { ...waitingView(), waiting: [...waitingView().waiting].reverse() }),
    );
    expect(written).toHaveLength(1);
  });

  it('redraws its block in place on a terminal', () => {
    const written: string[] = [];
    const printer = new ProgressPrinter(
      { write: (t: string) => written.push(t), isTTY: true, columns: 200 },
      createPalette(false),
    );
    const state = progressState('podinfo-v2', waitingView());
    printer.update(state);
    printer.update(state);
    expect(written[0]).not.toContain('\u001b[');
    // Second draw: cursor up over the 4 lines drawn (revision, step, two waiting lines), clear, draw.
    expect(written[1]?.startsWith('\u001b[4A\r\u001b[0J')).toBe(true);
    expect(written[1]).toContain('● deploy-hangzhou deploy running: wait healthy');
  });

  it('shows no steps of another revision', () => {
    const state = progressState('podinfo-v1', waitingView());
    expect(state.steps).toEqual([]);
    expect(state.waiting).toEqual([]);
  });
});
