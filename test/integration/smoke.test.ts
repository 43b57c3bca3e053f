import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocuments } from '../../model/loader.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;

describe('smoke', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('publishes podinfo-v1 and deploys it to both hangzhou clusters', async () => {
    const docs = (await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))).flat();
    const outcomes = await stack.client.apply(docs);
    const app = outcomes.find((o) => o.kind === 'Application');
    expect(app?.revision?.revision).toBe('podinfo-v1');
    const meta = await stack.client.waitForRevision({ name: 'podinfo', namespace: 'examples' }, 'podinfo-v1', { timeoutMs: 60_000 });
    expect(meta.status).toBe('Succeeded');
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      const deployment = stack.simulator.objects(cluster).find((o) => o.kind === 'Deployment' && o.metadata.name === 'podinfo');
      expect(deployment?.metadata.namespace).toBe('examples');
    }
  });
});
