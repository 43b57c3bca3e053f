import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../client/catalog-cache.js';
import type { Policy } from '../../model/policy.js';
import { applicationWorkflowId } from '../../model/ids.js';
import { testApp } from '../harness/apps.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

function override(name: string, replicas: number): Policy {
  return {
    apiVersion: 'core.oam.dev/v1alpha1',
    kind: 'Policy',
    metadata: { name, namespace: 'cache' },
    type: 'override',
    properties: {
      components: [{ type: 'webservice', traits: [{ type: 'scaler', properties: { replicas } }] }],
    },
  };
}

describe('the catalog a worker resolves publishes against', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is read again after every change and kept while nothing changed', async () => {
    const cache = new CatalogCache(stack.temporal);
    expect(Object.keys((await cache.read('cache')).policies)).toEqual([]);

    await stack.client.apply([override('high-availability', 3)]);
    const first = await cache.read('cache');
    expect(Object.keys(first.policies)).toEqual(['high-availability']);
    // Nothing changed: the same view, without asking the catalog workflow again.
    expect(await cache.read('cache')).toBe(first);
    expect(Object.isFrozen(first.policies['high-availability'])).toBe(true);

    await stack.client.apply([override('high-availability', 5), override('low-cost', 1)]);
    const second = await cache.read('cache');
    expect(Object.keys(second.policies).sort()).toEqual(['high-availability', 'low-cost']);
    expect(JSON.stringify(second.policies['high-availability'])).toContain('"replicas":5');

    await stack.client.deleteFromCatalog({ namespace: 'cache', kind: 'Policy', name: 'low-cost' });
    expect(Object.keys((await cache.read('cache')).policies)).toEqual(['high-availability']);
  });

  it('answers without a query only from kept, unchanged views (what the local resolve may use)', async () => {
    const cache = new CatalogCache(stack.temporal);
    // No catalog workflow yet: nothing to query, so the kept answer is the built-ins alone.
    expect(Object.keys((await cache.readMergedKept('kept'))?.policies ?? { none: 1 })).toEqual([]);
    await stack.client.apply([
      { ...override('high-availability', 2), metadata: { name: 'high-availability', namespace: 'kept' } },
    ]);
    // Applied but never read by this cache: only a query could answer.
    expect(await cache.readMergedKept('kept')).toBeUndefined();
    await cache.readMerged('kept');
    const kept = await cache.readMergedKept('kept');
    expect(Object.keys(kept?.policies ?? {})).toContain('high-availability');

    await stack.client.apply([
      { ...override('high-availability', 4), metadata: { name: 'high-availability', namespace: 'kept' } },
    ]);
    expect(await cache.readMergedKept('kept')).toBeUndefined();
    expect(JSON.stringify((await cache.readMerged('kept')).policies['high-availability'])).toContain(
      '"replicas":4',
    );
    expect(await cache.readMergedKept('kept')).toBeDefined();
  });

  it("a publish whose catalogs the worker keeps resolves in the entity's own workflow task: no resolve activity", async () => {
    const ref = { name: 'local-resolve', namespace: 'cache' };
    const app = (image: string, version: string) =>
      testApp({ ...ref, components: { 'local-resolve-web': image }, publishVersion: version });
    await stack.client.publish({ app: app('nginx:1', 'v1'), publishVersion: 'v1' });
    await stack.client.publish({ app: app('nginx:2', 'v2'), publishVersion: 'v2' });
    const history = await stack.temporal.workflow
      .getHandle(applicationWorkflowId(ref.namespace, ref.name))
      .fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n) => n === 'resolveSnapshot');
    // The first publish found this namespace's catalog changed since the test above; the second did not.
    expect(scheduled).toHaveLength(1);
    expect((await stack.client.listRevisions(ref)).map((r) => r.name)).toEqual([
      'local-resolve-v1',
      'local-resolve-v2',
    ]);
  });
});
