import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';

/**
 * Modules of the workflow bundle loaded once per worker instead of once per workflow: with a
 * reused V8 context the SDK gives every workflow its own module cache, so each workflow new to
 * the cache — a new revision, or an entity evicted from the cache and replayed for its next
 * request — ran the module scope of zod and of every `model/` module again: time on the path of
 * a publish to an evicted application, and memory kept per cached workflow (docs/benchmarks.md,
 * "Profiles").
 *
 * Every `model/` module the workflows import qualifies: `model/` holds pure rules whose module
 * scope builds only constants, schemas and parse caches keyed by their input (the same answer in
 * every workflow). The SDK freezes what a preloaded module exports; a `Map` it holds stays
 * writable, which `model/schema-cache` relies on (zod defines a schema's methods on first use).
 * Workflow modules are never preloaded: they hold per-workflow state.
 */
export function preloadModules(workflowsPath: string): string[] {
  const modelDir = join(dirname(workflowsPath), '..', 'model') + sep;
  const schemaCache = join(modelDir, `schema-cache${extname(workflowsPath)}`);
  const imports = new Map<string, string[]>();
  const definesSchemas = new Set<string>();
  const visit = (file: string) => {
    if (imports.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const targets: string[] = [];
    imports.set(file, targets);
    if (/\sfrom\s+['"]zod['"]/.test(source)) definesSchemas.add(file);
    for (const specifier of relativeImports(source)) {
      const target = sourceFile(resolve(dirname(file), specifier), extname(workflowsPath));
      if (target === undefined) continue;
      targets.push(target);
      visit(target);
    }
  };
  visit(workflowsPath);
  // A module that builds or exports a schema cannot be frozen, nor can any that imports one: the
  // SDK freezes every module a preloaded one loads.
  const frozenOk = new Map<string, boolean>();
  const canFreeze = (file: string): boolean => {
    const known = frozenOk.get(file);
    if (known !== undefined) return known;
    frozenOk.set(file, false);
    // `schema-cache` itself imports zod, so it is never among these: it is listed first below.
    const ok = !definesSchemas.has(file) && (imports.get(file) ?? []).every(canFreeze);
    frozenOk.set(file, ok);
    return ok;
  };
  const model = [...imports.keys()].filter((f) => f.startsWith(modelDir) && canFreeze(f));
  return [schemaCache, ...model.sort()];
}

/** `./x.js` and `../model/y.js` of every `import … from` and `export … from`, not type-only ones. */
function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(
    /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gms,
  )) {
    if (m[2] === undefined && m[3] !== undefined) specifiers.push(m[3]);
  }
  return specifiers;
}

/** The file an import names: compiled `.js` as written, or its `.ts` source when run from source. */
function sourceFile(path: string, ext: string): string | undefined {
  if (ext === '.ts') {
    const ts = path.replace(/\.js$/, '.ts');
    if (existsSync(ts)) return ts;
  }
  return existsSync(path) ? path : undefined;
}
