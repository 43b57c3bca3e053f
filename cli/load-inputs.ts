import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { RevelaDocument } from '../model/document.js';
import { parseYamlDocuments } from '../model/loader.js';
import { yamlFilesIn } from './load-documents.js';

export interface LoadInputsOptions {
  /**
   * Namespace for documents that name none (`-n`, as kubectl does). Without it, applications
   * default to "default" and catalog objects to the client's default.
   */
  readonly defaultNamespace?: string;
  /** Told about files of a directory that are not Revela documents (e.g. a clusters.yaml beside the app). */
  readonly onSkip?: (file: string, reason: string) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The non-empty documents of a YAML text as plain values, or undefined when it has a syntax error. */
function rawDocuments(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text);
  // Broken YAML is the strict parser's to report, with line and column.
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  return docs
    .filter((d) => d.contents !== null)
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null && v !== undefined);
}

/** True when no document has `kind` or `apiVersion`: some other YAML (a clusters.yaml), not a manifest. */
function isForeignYaml(raw: readonly unknown[] | undefined): boolean {
  return (
    raw !== undefined &&
    raw.length > 0 &&
    raw.every((v) => isRecord(v) && !('kind' in v) && !('apiVersion' in v))
  );
}

function namespaceGiven(raw: unknown): boolean {
  return (
    isRecord(raw) &&
    isRecord(raw.metadata) &&
    typeof raw.metadata.namespace === 'string' &&
    raw.metadata.namespace !== ''
  );
}

/** Parses one text strictly, then gives `namespace` to the documents whose YAML named none. */
function documentsOf(
  text: string,
  file: string,
  raw: unknown[] | undefined,
  namespace: string | undefined,
): RevelaDocument[] {
  const documents = parseYamlDocuments(text, file);
  if (namespace === undefined || raw === undefined || raw.length !== documents.length) return documents;
  return documents.map((doc, i) =>
    namespaceGiven(raw[i]) ? doc : { ...doc, metadata: { ...doc.metadata, namespace } },
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The documents of every `-f` argument, in order: a file (several documents), a directory (its
 * `*.yaml`/`*.yml` files by name; files that hold no manifest at all are skipped and reported),
 * or `-` for standard input. Errors name the file, the document and the path.
 */
export async function loadInputs(
  paths: readonly string[],
  options: LoadInputsOptions = {},
): Promise<RevelaDocument[]> {
  const documents: RevelaDocument[] = [];
  const ns = options.defaultNamespace;
  for (const path of paths) {
    if (path === '-') {
      const text = await readStdin();
      documents.push(...documentsOf(text, '<stdin>', rawDocuments(text), ns));
    } else if ((await stat(path)).isDirectory()) {
      for (const file of await yamlFilesIn(path)) {
        const text = await readFile(file, 'utf8');
        const raw = rawDocuments(text);
        if (isForeignYaml(raw)) {
          options.onSkip?.(file, 'not a Revela document (no kind or apiVersion)');
          continue;
        }
        documents.push(...documentsOf(text, file, raw, ns));
      }
    } else {
      const text = await readFile(path, 'utf8');
      documents.push(...documentsOf(text, path, rawDocuments(text), ns));
    }
  }
  return documents;
}
