/**
 * zod schemas built once per process instead of once per module instance.
 *
 * Why: a Temporal worker with a reused V8 context gives every workflow its own copy of each
 * module, so every workflow new to the cache ran the module scope of `model/` again and kept its
 * own tree of zod schemas, about 0.9 MiB and 10–20 ms per workflow (docs/benchmarks.md,
 * "Profiles"). The worker preloads this module (worker/preload-modules.ts), so all workflows share
 * the one `Map` below: the first workflow to load a schema module builds its schemas, the others
 * find them here. That is safe because a schema holds no state a workflow could observe: parsing
 * is a pure function of the input, and the caches zod fills on first use are the same for everyone.
 * The SDK freezes a preloaded module's exports but not a `Map`'s entries, so zod can still define
 * its methods lazily on the schemas themselves.
 *
 * Outside a worker (CLI, activities, tests) this is a plain per-process memo.
 *
 * Workflow-safe.
 */
import { z } from 'zod';

/**
 * zod itself, exported so that preloading this module loads zod with it. zod declares itself free
 * of side effects, so webpack drops a bare `require('zod')` in the preload list; a module that
 * uses it keeps it, and then every workflow shares zod's modules too.
 */
export const zod = z;

// zod sets its default locale and memoizer in a global config the first time a schema is built.
// The SDK freezes a preloaded module's globals once it has loaded, so that first build must
// happen here, while loading: later builds then find both set and write nothing.
z.object({ warm: z.string() });

const built = new Map<string, unknown>();

/**
 * The schema registered under `key`, built by `build` the first time. `key` names the module and
 * the schema (`application/Application`) and must be unique across `model/`.
 *
 * @example
 * export const ObjectMetaSchema = schema('object-meta/ObjectMeta', () => z.object({ name: z.string() }));
 */
export function schema<T>(key: string, build: () => T): T {
  const found = built.get(key);
  if (found !== undefined) return found as T;
  const made = build();
  built.set(key, made);
  return made;
}
