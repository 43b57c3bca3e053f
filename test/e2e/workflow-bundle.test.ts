import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';

/**
 * The worker preloads `model/schema-cache` so that workflows share zod and `model/`'s schemas
 * (worker/preload-modules.ts). webpack silently drops a preload it thinks has no effect: the
 * earlier `require('zod')` became `0;`, and every workflow built its schemas again. This reads
 * the bundle the worker runs (bundled the same way by the test harness).
 */
describe('the workflow bundle', () => {
  it('preloads model/schema-cache, and with it zod', async () => {
    const code = await readFile(inject('workflowBundlePath'), 'utf8');
    const preload = /function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    expect(preload).toMatch(/__webpack_require__\([^)]*"[^"]*model\/schema-cache\.[jt]s"\)/);

    const start = code.search(/\/\*\*\*\/ "[^"]*model\/schema-cache\.[jt]s"/);
    expect(start, 'the schema-cache module is in the bundle').toBeGreaterThan(-1);
    const module = code.slice(start, code.indexOf('/***/ "', start + 10));
    expect(module).toMatch(/__webpack_require__\([^)]*"[^"]*node_modules\/zod\/[^"]+"\)/);
  });

  it('preloads the model modules a frozen copy can serve, and none that builds a schema', async () => {
    const code = await readFile(inject('workflowBundlePath'), 'utf8');
    const preload = /function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    const names = [...preload.matchAll(/"[^"]*\/(model|workflows)\/([\w-]+)\.[jt]s"/g)].map(
      (m) => `${m[1]}/${m[2]}`,
    );
    // Pure rules every workflow imports: loaded once per worker, not once per workflow.
    expect(names).toEqual(
      expect.arrayContaining(['model/errors', 'model/ids', 'model/labels', 'model/duration']),
    );
    // A schema's methods are defined on first use; a frozen one would throw in the workflow.
    expect(names).not.toContain('model/application');
    expect(names).not.toContain('model/revision');
    // Workflow modules hold per-workflow state.
    expect(names.filter((n) => n.startsWith('workflows/'))).toEqual([]);
  });
});
