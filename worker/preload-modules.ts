import { dirname, extname, join } from 'node:path';

/**
 * Modules of the workflow bundle loaded once per worker instead of once per workflow: with a
 * reused V8 context the SDK gives every workflow its own module cache, so each workflow new to
 * the cache ran the module scope of zod and of every `model/` schema again (docs/benchmarks.md,
 * "Profiles"). `model/schema-cache` loads zod (which keeps no per-workflow state) and holds the
 * schemas `model/` builds, in a `Map` the SDK's freeze of preloaded modules does not reach (zod
 * defines a schema's methods on first use, so frozen schemas would break).
 */
export function preloadModules(workflowsPath: string): string[] {
  return [join(dirname(workflowsPath), '..', 'model', `schema-cache${extname(workflowsPath)}`)];
}
