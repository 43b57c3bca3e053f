/**
 * The built-in definitions, read from the YAML files next to this module (or, when running from
 * `dist/definitions/`, from the package's `definitions/` folder). They form the lowest layer of
 * every catalog view: `mergeCatalogs(loadBuiltinDefinitions(), velaSystem, appNamespace)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFromDocuments, type CatalogView } from '../model/catalog-view.js';
import { parseYamlDocuments } from '../model/loader.js';

/** The files holding the built-ins, one per kind group. */
export const BUILTIN_DEFINITION_FILES = [
  'components.yaml',
  'components-kubevela.yaml',
  'traits.yaml',
  'traits-kubevela.yaml',
  'policies.yaml',
  'policies-kubevela.yaml',
  'workflow-steps.yaml',
  'workflow-steps-kubevela.yaml',
] as const;

let cached: CatalogView | undefined;

/** The folder with the built-in YAML files. */
export function builtinDefinitionsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [here, join(here, '..', '..', 'definitions')];
  const found = candidates.find((dir) => existsSync(join(dir, BUILTIN_DEFINITION_FILES[0])));
  if (found === undefined) {
    throw new Error(`built-in definitions not found: looked for ${BUILTIN_DEFINITION_FILES[0]} in ${candidates.join(' and ')}`);
  }
  return found;
}

/**
 * The built-in component, trait, policy and workflow-step definitions (read once, then cached).
 * Callers must not mutate the result.
 */
export function loadBuiltinDefinitions(): CatalogView {
  if (cached) return cached;
  const dir = builtinDefinitionsDir();
  const documents = BUILTIN_DEFINITION_FILES.flatMap((file) => {
    const path = join(dir, file);
    return parseYamlDocuments(readFileSync(path, 'utf8'), path);
  });
  cached = catalogFromDocuments(documents);
  return cached;
}
