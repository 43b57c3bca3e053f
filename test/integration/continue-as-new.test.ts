import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPublishVersion, type Application } from '../../model/application.js';
import { applicationWorkflowId } from '../../model/ids.js';
import { loadDocuments } from '../../cli/load-documents.js';
import { recordHistory } from '../harness/histories.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;

/** An application in its own namespace, so this file shares nothing with others. */
async function podinfoIn(
  namespace: string,
): Promise<{ docs: Awaited<ReturnType<typeof loadDocuments>>; app: Application }> {
  const docs = (
    await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))
  )
    .flat()
    .map((d) => ({ ...d, metadata: { ...d.metadata, namespace } }));
  return { docs, app: docs.find((d): d is Application => d.kind === 'Application') as Application };
}

describe('the application entity continues as new', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Two updates per run: the entity continues as new while podinfo-v1 is still rolling out.
    stack = await startTestStack({ rollout: 'slow', engine: { maxUpdatesPerRun: 2 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('while a revision runs, and still records that revision’s result', async () => {
    const { docs, app } = await podinfoIn('can');
    const ref = { name: 'podinfo', namespace: 'can' };
    const [first] = await stack.client.apply(docs.filter((d) => d.kind !== 'Application'));
    expect(first?.result).toBe('created');

    const published = await stack.client.publish({ app, publishVersion: 'v1.0.0', requestId: 'publish-1' });
    expect(published.revision).toBe('podinfo-v1');
    const handle = stack.temporal.workflow.getHandle(applicationWorkflowId('can', 'podinfo'));
    const firstRun = (await handle.describe()).runId;

    // A retry within the run is answered by the server from the update id alone.
    expect(await stack.client.publish({ app, publishVersion: 'v1.0.0', requestId: 'publish-1' })).toEqual(
      published,
    );
    // The second update of this run: afterwards the entity continues as new.
    const [saved] = await stack.client.apply([withPublishVersion(app, 'v1.0.0')]);
    expect(saved?.result).toBe('saved');
    const secondRun = await eventually(
      'the entity to continue as new',
      async () => {
        const d = await handle.describe();
        return d.runId !== firstRun ? d.runId : undefined;
      },
      {
        describe: async () =>
          JSON.stringify(
            (await handle.fetchHistory()).events?.map((e) => [
              e.eventType,
              e.workflowTaskFailedEventAttributes?.failure?.message,
            ]),
          ),
      },
    );
    expect(secondRun).not.toBe(firstRun);
    expect((await stack.client.listRevisions(ref)).find((r) => r.name === 'podinfo-v1')?.status).toBe(
      'Executing',
    );

    // The revision, started by the first run, reports to the second.
    const v1 = await stack.client.waitForRevision(ref, 'podinfo-v1', { timeoutMs: 60_000 });
    expect(v1.status).toBe('Succeeded');
    expect((await stack.client.status(ref)).app.latestSucceededRevision).toBe('podinfo-v1');

    // A retried request is answered from memory across continue-as-new, not published again.
    expect(await stack.client.publish({ app, publishVersion: 'v1.0.0', requestId: 'publish-1' })).toEqual(
      published,
    );
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual(['podinfo-v1']);

    const closed = stack.temporal.workflow.getHandle(applicationWorkflowId('can', 'podinfo'), firstRun);
    expect((await closed.describe()).status.name).toBe('CONTINUED_AS_NEW');
    // The first run would have heard v1's end from its result: before continuing as new it told
    // v1 to report by signal instead.
    const told = ((await closed.fetchHistory()).events ?? []).filter(
      (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'reportBySignal',
    );
    expect(
      told.map(
        (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution?.workflowId,
      ),
    ).toEqual(['rev/can/podinfo-v1']);
    await recordHistory(closed, 'application-continued-as-new');
  });
});
