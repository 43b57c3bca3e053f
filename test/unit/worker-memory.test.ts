import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../worker/config.js';
import {
  CACHED_WORKFLOW_MIB,
  cachedWorkflowsFor,
  LIVE_HEAP_PER_CACHED_WORKFLOW_MIB,
  WORKER_BASE_MIB,
  workflowHeapMiB,
  WORKFLOW_BUNDLE_HEAP_MIB,
} from '../../worker/memory.js';

describe('REVELA_WORKER_MEMORY', () => {
  it('sizes the workflow cache from the budget: 1Gi holds (1024 − base) / per-workflow workflows', () => {
    const config = loadWorkerConfig({ REVELA_WORKER_MEMORY: '1Gi' });
    expect(config.memoryBytes).toBe(2 ** 30);
    expect(config.maxCachedWorkflows).toBe(Math.floor((1024 - WORKER_BASE_MIB) / CACHED_WORKFLOW_MIB));
  });

  it('reads Kubernetes quantities and the plain bytes a resourceFieldRef gives', () => {
    expect(loadWorkerConfig({ REVELA_WORKER_MEMORY: '512Mi' }).memoryBytes).toBe(512 * 2 ** 20);
    expect(loadWorkerConfig({ REVELA_WORKER_MEMORY: '2G' }).memoryBytes).toBe(2e9);
    expect(loadWorkerConfig({ REVELA_WORKER_MEMORY: '1073741824' }).memoryBytes).toBe(2 ** 30);
  });

  it('caps the workflow thread heap at a share of the budget: 1Gi gives it 460 MiB', () => {
    expect(workflowHeapMiB(2 ** 30)).toBe(460);
  });

  it('for every budget, the cache it derives fits in the heap limit it derives', () => {
    for (const mib of [512, 768, 1024, 2048, 4096, 16384]) {
      const bytes = mib * 2 ** 20;
      const live = WORKFLOW_BUNDLE_HEAP_MIB + cachedWorkflowsFor(bytes) * LIVE_HEAP_PER_CACHED_WORKFLOW_MIB;
      expect(live, `${mib} MiB`).toBeLessThan(workflowHeapMiB(bytes));
    }
  });

  it('a larger budget caches more workflows', () => {
    expect(cachedWorkflowsFor(2 * 2 ** 30)).toBeGreaterThan(cachedWorkflowsFor(2 ** 30));
  });

  it('REVELA_MAX_CACHED_WORKFLOWS overrides the derived size; unset leaves it to the SDK', () => {
    expect(
      loadWorkerConfig({ REVELA_WORKER_MEMORY: '1Gi', REVELA_MAX_CACHED_WORKFLOWS: '50' }).maxCachedWorkflows,
    ).toBe(50);
    expect(loadWorkerConfig({}).maxCachedWorkflows).toBeUndefined();
  });

  it('refuses a budget without a unit it knows, or too small to run a worker, naming the variable', () => {
    expect(() => loadWorkerConfig({ REVELA_WORKER_MEMORY: '1GB' })).toThrow(
      /REVELA_WORKER_MEMORY: a memory quantity/,
    );
    expect(() => loadWorkerConfig({ REVELA_WORKER_MEMORY: '100Mi' })).toThrow(
      /REVELA_WORKER_MEMORY: at least 512Mi/,
    );
  });
});
