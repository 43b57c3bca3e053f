import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPublishVersion, type Application } from '../../model/application.js';
import { loadDocuments } from '../../cli/load-documents.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;

describe('a storm of 20 publishes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Rollouts take 6 s, so every revision but the last is still waiting when it is superseded.
    stack = await startTestStack({ rollout: 'slow' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('ends with one revision, contiguous numbers, every other Terminated, and the last one deployed', async () => {
    const docs = (
      await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))
    )
      .flat()
      .map((d) => ({ ...d, metadata: { ...d.metadata, namespace: 'storm' } }));
    await stack.client.apply(docs.filter((d) => d.kind !== 'Application'));
    const app = docs.find((d): d is Application => d.kind === 'Application') as Application;
    const ref = { name: 'podinfo', namespace: 'storm' };

    const started = Date.now();
    const versions = Array.from({ length: 20 }, (_, i) => `storm-${i + 1}`);
    const calls = versions.map((v, i) => {
      const image = `stefanprodan/podinfo:6.1.${i}`;
      const edited = {
        ...app,
        spec: { ...app.spec, components: [{ ...app.spec.components[0]!, properties: { image } }] },
      };
      return stack.client.publish({ app: withPublishVersion(edited, v), publishVersion: v });
    });
    const issuedIn = Date.now() - started;
    const results = await Promise.all(calls);
    expect(issuedIn).toBeLessThan(1000);

    // The entity serializes publishes: numbers are 1..20 without gaps, in the order it took them.
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual(versions.map((_, i) => i + 1));
    const last = results.find((r) => r.number === 20)!;

    const final = await stack.client.waitForRevision(ref, last.revision, { timeoutMs: 90_000 });
    expect(final.status).toBe('Succeeded');
    const revisions = await stack.client.listRevisions(ref);
    // Retention keeps the newest 10 (plus the current and latest succeeded, which are the same here).
    expect(revisions.map((r) => r.number)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    for (const r of revisions.filter((x) => x.number < 20)) {
      expect(r).toMatchObject({ status: 'Terminated', succeeded: false });
      expect(r.description).toMatch(/^superseded by podinfo-v\d+$/);
    }
    const ids: string[] = [];
    for await (const w of stack.temporal.workflow.list({
      query: `RevelaApp="storm/podinfo" AND ExecutionStatus="Running"`,
    })) {
      ids.push(w.workflowId);
    }
    // No revision run is left open: only the entity and its state keep (started by the success) live on.
    expect(ids.sort()).toEqual(['app/storm/podinfo', 'keep/storm/podinfo']);

    const lastImage = `stefanprodan/podinfo:6.1.${versions.indexOf(last.publishVersion!)}`;
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      expect(await deploymentIn(stack.clusters, cluster, 'storm', 'podinfo')).toMatchObject({
        image: lastImage,
        revision: last.revision,
      });
    }
  });
});
