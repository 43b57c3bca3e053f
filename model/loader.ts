/**
 * Parses Revela documents from YAML text: one text with several documents. Errors name the file,
 * the document and the line, or the path inside the document. Reading files, directories and
 * standard input is the CLI's (`cli/load-documents.ts`): `model/` does no I/O.
 */
import { LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { parseDocument, type RevelaDocument } from './document.js';
import { YamlSyntaxError } from './errors.js';

/**
 * Parses every non-empty document of a YAML text.
 *
 * @throws YamlSyntaxError with file, document index, line and column.
 * @throws InvalidDocumentError with file, document index and path.
 */
export function parseYamlDocuments(text: string, file?: string): RevelaDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  // Syntax errors anywhere in the file come first: they usually explain the schema errors after them.
  for (const [index, doc] of documents.entries()) {
    const error = doc.errors[0];
    if (error) {
      const where: ConstructorParameters<typeof YamlSyntaxError>[1] = { documentIndex: index, cause: error };
      if (file !== undefined) where.file = file;
      const pos = error.linePos?.[0];
      if (pos) {
        where.line = pos.line;
        where.col = pos.col;
      }
      const reason = (error.message.split('\n')[0] ?? error.message).replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      throw new YamlSyntaxError(reason, where);
    }
  }
  const out: RevelaDocument[] = [];
  for (const [index, doc] of documents.entries()) {
    if (doc.contents === null) continue;
    const value = documentValue(doc, index, file, lineCounter);
    if (value === null || value === undefined) continue;
    out.push(parseDocument(value, file === undefined ? { index } : { file, index }));
  }
  return out;
}

/** Aliases may expand to at most this many nodes' worth of copies (the `yaml` library's guard). */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. Alias problems only surface here, as the `yaml` library's bare
 * `ReferenceError` (an alias to an undefined anchor, or aliases that expand exponentially — a
 * "billion laughs" input): report them like any other syntax error, with file, document and line,
 * instead of letting an untyped error escape.
 */
function documentValue(
  doc: Document.Parsed,
  index: number,
  file: string | undefined,
  lineCounter: LineCounter,
): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const where: ConstructorParameters<typeof YamlSyntaxError>[1] = { documentIndex: index, cause: err };
    if (file !== undefined) where.file = file;
    let unresolved: { name: string; offset: number } | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (node.resolve(doc) !== undefined || !node.range) return undefined;
        unresolved = { name: node.source, offset: node.range[0] };
        return visit.BREAK;
      },
    });
    if (unresolved) {
      const pos = lineCounter.linePos(unresolved.offset);
      where.line = pos.line;
      where.col = pos.col;
      throw new YamlSyntaxError(
        `alias *${unresolved.name} refers to no anchor &${unresolved.name} defined before it`,
        where,
      );
    }
    const first = findFirstAlias(doc);
    if (first !== undefined) {
      const pos = lineCounter.linePos(first);
      where.line = pos.line;
      where.col = pos.col;
    }
    throw new YamlSyntaxError(
      `aliases expand to too many copies (more than ${MAX_ALIAS_COUNT}); Revela refuses inputs that grow exponentially when read — write the repeated content out or use fewer aliases`,
      where,
    );
  }
}

function findFirstAlias(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (!node.range) return undefined;
      offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}
