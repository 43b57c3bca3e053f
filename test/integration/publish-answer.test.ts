import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestRejectedError } from '../../client/errors.js';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { testApp } from '../harness/apps.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

/**
 * The entity answers a publish in the workflow task that requests its revision's start
 * (`Patch.answerAtStart`); the client returns once that workflow exists. What a user sees: the
 * revision named by the answer opens at once, and a start that fails is still `StartFailed`.
 */

const NS = 'publish-answer';
const LOCAL = [{ name: 'here', type: 'topology', properties: { clusters: ['local'] } }];
const GOOD = 'stefanprodan/podinfo:6.0.1';

function app(name: string, image: string, publishVersion: string) {
  return testApp({
    name,
    namespace: NS,
    components: { [`${name}-web`]: image },
    policies: LOCAL,
    publishVersion,
  });
}

describe('a publish answered as its revision starts', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('returns a revision whose workflow exists: its handle opens at once, started by the entity', async () => {
    const ref = { name: 'opens', namespace: NS };
    for (const version of ['v1', 'v2', 'v3']) {
      const published = await stack.client.publish({
        app: app(ref.name, `stefanprodan/podinfo:6.0.${version.slice(1)}`, version),
        publishVersion: version,
      });
      // No retry: the client returned only once the workflow existed.
      const run = await stack.temporal.workflow.getHandle(published.workflowId).describe();
      expect(run.parentExecution?.workflowId).toBe(applicationWorkflowId(NS, ref.name));
      // And the entity already shows it as its current revision.
      const status = await stack.client.status(ref);
      expect(status.app.currentRevision?.name).toBe(published.revision);
    }
    const last = await stack.client.waitForRevision(ref, 'opens-v3');
    expect(last.status).toBe('Succeeded');
  });

  it('a revision whose workflow cannot start is refused with StartFailed and kept as Failed; the previous one stays current', async () => {
    const ref = { name: 'squatted', namespace: NS };
    const v1 = await stack.client.publish({ app: app(ref.name, GOOD, 'v1'), publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');
    // Something else runs a workflow under the id the next revision needs (on a queue no worker
    // polls, so it stays open): the server refuses the revision's start.
    const squatter = await stack.temporal.workflow.start('revision', {
      workflowId: revisionWorkflowId(NS, 'squatted-v2'),
      taskQueue: 'nobody-polls-this',
      args: [],
    });
    try {
      const refused = await stack.client
        .publish({ app: app(ref.name, 'stefanprodan/podinfo:6.0.2', 'v2'), publishVersion: 'v2' })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(RequestRejectedError);
      expect(refused).toMatchObject({ type: 'StartFailed' });
      expect((refused as Error).message).toMatch(/squatted-v2 did not start/);

      const status = await stack.client.status(ref);
      expect(status.app.currentRevision?.name).toBe('squatted-v1');
      const v2 = status.app.revisions.find((r) => r.name === 'squatted-v2');
      expect(v2?.status).toBe('Failed');
      expect(v2?.description).toMatch(/^did not start: /);
      expect(status.app.audit.map((a) => a.action)).toContain('start-failed');
    } finally {
      await squatter.terminate('test over');
    }
    // The number is used; the next publish takes the next one and runs.
    const v3 = await stack.client.publish({
      app: app(ref.name, 'stefanprodan/podinfo:6.0.3', 'v3'),
      publishVersion: 'v3',
    });
    expect(v3.revision).toBe('squatted-v3');
    expect((await stack.client.waitForRevision(ref, v3.revision)).status).toBe('Succeeded');
    expect((await stack.client.status(ref)).app.currentRevision?.name).toBe('squatted-v3');
  });
});
