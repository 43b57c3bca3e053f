/**
 * Reads Revela documents from YAML: one file with several documents, a directory of `*.yaml` /
 * `*.yml` files (sorted by name), or standard input (`-`). Parsing is `model/loader.ts`'s; this
 * file is the file-system side.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RevelaDocument } from '../model/document.js';
import { parseYamlDocuments } from '../model/loader.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The YAML files a directory holds, sorted by name (not recursive). */
export async function yamlFilesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(directory, name));
}

/**
 * Loads documents from a file, a directory of YAML files or `-` (standard input).
 *
 * @throws YamlSyntaxError, InvalidDocumentError; file system errors as Node reports them.
 * @example const docs = await loadDocuments('examples/podinfo');
 */
export async function loadDocuments(path: string): Promise<RevelaDocument[]> {
  if (path === '-') return parseYamlDocuments(await readStdin(), '<stdin>');
  const info = await stat(path);
  if (info.isDirectory()) {
    const out: RevelaDocument[] = [];
    for (const file of await yamlFilesIn(path)) {
      out.push(...parseYamlDocuments(await readFile(file, 'utf8'), file));
    }
    return out;
  }
  return parseYamlDocuments(await readFile(path, 'utf8'), path);
}
