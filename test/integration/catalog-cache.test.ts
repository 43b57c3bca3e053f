import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../client/catalog-cache.js';
import type { Policy } from '../../model/policy.js';
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
});
