/**
 * Library modules of the workflow bundle loaded once per worker instead of once per workflow.
 * With a reused V8 context the SDK gives every workflow its own module cache, so each workflow
 * new to the cache ran zod's module scope again (docs/benchmarks.md, "Profiles"). zod keeps no
 * per-workflow state. Revela's own `model/` schemas cannot be shared this way: the SDK freezes
 * preloaded modules, and zod defines a schema's methods on first use.
 */
export const PRELOAD_MODULES = ['zod'];

/** `bundlerOptions.preloadModules` for a bundle of `workflows/`. */
export function preloadModules(_workflowsPath: string): string[] {
  return PRELOAD_MODULES;
}
