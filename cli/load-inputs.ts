import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { RevelaDocument } from '../model/document.js';
import { loadDocuments, parseYamlDocuments, yamlFilesIn } from '../model/loader.js';

export interface LoadInputsOptions {
  /** Namespace for documents that name none (`-n`, as kubectl does). @default leave them as they are */
  readonly defaultNamespace?: string;
  /** Told about files of a directory that are not Revela documents (e.g. a clusters.yaml beside the app). */
  readonly onSkip?: (file: string, reason: string) => void;
}

/** True when no document of the text has `kind` or `apiVersion`: some other YAML, not a manifest. */
function isForeignYaml(text: string): boolean {
  const docs = parseAllDocuments(text);
  // Broken YAML is the strict parser's to report, with line and column.
  if (docs.some((d) => d.errors.length > 0)) return false;
  const objects = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  return objects.length > 0 && objects.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !('kind' in v) && !('apiVersion' in v));
}

/**
 * The documents of every `-f` argument, in order: a file (several documents), a directory (its
 * `*.yaml`/`*.yml` files by name; files that hold no manifest at all are skipped and reported),
 * or `-` for standard input. Errors name the file, the document and the path.
 */
export async function loadInputs(paths: readonly string[], options: LoadInputsOptions = {}): Promise<RevelaDocument[]> {
  const documents: RevelaDocument[] = [];
  for (const path of paths) {
    if (path !== '-' && (await stat(path)).isDirectory()) {
      for (const file of await yamlFilesIn(path)) {
        const text = await readFile(file, 'utf8');
        if (isForeignYaml(text)) {
          options.onSkip?.(file, 'not a Revela document (no kind or apiVersion)');
          continue;
        }
        documents.push(...parseYamlDocuments(text, file));
      }
    } else {
      documents.push(...(await loadDocuments(path)));
    }
  }
  const ns = options.defaultNamespace;
  if (ns === undefined) return documents;
  return documents.map((doc) =>
    doc.metadata.namespace === undefined ? { ...doc, metadata: { ...doc.metadata, namespace: ns } } : doc,
  );
}
