/**
 * Every kind of document Revela reads, and the one parse function that turns untrusted input into
 * typed documents with precise errors.
 *
 * Workflow-safe.
 */
import { z } from 'zod';
import { ApplicationSchema } from './application.js';
import {
  ComponentDefinitionSchema,
  PolicyDefinitionSchema,
  TraitDefinitionSchema,
  WorkflowStepDefinitionSchema,
} from './definition.js';
import { InvalidDocumentError, type DocumentIssue, type DocumentSource } from './errors.js';
import { formatPath } from './object-path.js';
import { PolicySchema } from './policy.js';
import { WorkflowSchema } from './workflow.js';

const SCHEMAS = {
  Application: ApplicationSchema,
  Policy: PolicySchema,
  Workflow: WorkflowSchema,
  ComponentDefinition: ComponentDefinitionSchema,
  TraitDefinition: TraitDefinitionSchema,
  PolicyDefinition: PolicyDefinitionSchema,
  WorkflowStepDefinition: WorkflowStepDefinitionSchema,
} as const;

/** The kinds Revela reads. */
export type RevelaDocumentKind = keyof typeof SCHEMAS;
export const REVELA_DOCUMENT_KINDS = Object.keys(SCHEMAS) as RevelaDocumentKind[];

export const RevelaDocumentSchema = z.discriminatedUnion('kind', [
  ApplicationSchema,
  PolicySchema,
  WorkflowSchema,
  ComponentDefinitionSchema,
  TraitDefinitionSchema,
  PolicyDefinitionSchema,
  WorkflowStepDefinitionSchema,
]);
export type RevelaDocument = z.infer<typeof RevelaDocumentSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Application examples/podinfo`, as far as the raw input allows. */
function describeRaw(obj: Record<string, unknown>): string {
  const kind = typeof obj.kind === 'string' && obj.kind !== '' ? obj.kind : 'document';
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
  if (name === undefined) return kind;
  const ns =
    typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  if (kind === 'Application') return `${kind} ${ns ?? 'default'}/${name}`;
  return `${kind} ${ns === undefined ? '' : `${ns}/`}${name}`;
}

function issueReason(issue: z.core.$ZodIssue): { path: PropertyKey[]; reason: string } {
  const path = [...issue.path];
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message))
        return { path, reason: `is required (expected ${issue.expected})` };
      return { path, reason: `must be ${article(issue.expected)} ${issue.expected}` };
    case 'unrecognized_keys': {
      const [first, ...others] = issue.keys;
      return {
        path: [...path, first ?? ''],
        reason: `is not a known field${others.length > 0 ? ` (nor are ${others.join(', ')})` : ''}; check the spelling and indentation`,
      };
    }
    case 'invalid_value':
      return {
        path,
        reason: `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`,
      };
    default:
      return { path, reason: issue.message };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** Turns zod issues into the model's issue list (`spec.components[0].name: …`). */
export function zodIssues(error: z.ZodError): DocumentIssue[] {
  return error.issues.map((issue) => {
    const { path, reason } = issueReason(issue);
    return { path: formatPath(path), reason };
  });
}

/**
 * Parses one untrusted object (e.g. a YAML document) into a typed document.
 *
 * @throws InvalidDocumentError naming the object, the path (`spec.components[0].name`) and, when
 *   given, the file and document index.
 */
export function parseDocument(obj: unknown, source: DocumentSource = {}): RevelaDocument {
  if (!isRecord(obj)) {
    throw new InvalidDocumentError(
      `a document must be a mapping with apiVersion, kind and metadata, not ${describeValue(obj)}`,
      {
        object: 'document',
        source,
      },
    );
  }
  const object = describeRaw(obj);
  const kind = obj.kind;
  if (typeof kind !== 'string' || !(kind in SCHEMAS)) {
    const reason =
      typeof kind === 'string'
        ? `unknown kind "${kind}"; Revela reads ${REVELA_DOCUMENT_KINDS.join(', ')}`
        : `is required (one of ${REVELA_DOCUMENT_KINDS.join(', ')})`;
    throw new InvalidDocumentError(reason, { object, path: 'kind', source });
  }
  const schema = SCHEMAS[kind as RevelaDocumentKind];
  const result = schema.safeParse(obj);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const first = issues[0] ?? { path: '', reason: 'is invalid' };
  throw new InvalidDocumentError(first.reason, {
    object,
    ...(first.path !== '' ? { path: first.path } : {}),
    source,
    issues,
    cause: result.error,
  });
}

/**
 * Parses a value with a zod schema, throwing the model's error for `object`, with paths under
 * `basePath`.
 */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  location: { object: string; basePath?: string },
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error).map((issue) => ({
    path: [location.basePath, issue.path]
      .filter((p) => p !== undefined && p !== '')
      .join(issue.path.startsWith('[') ? '' : '.'),
    reason: issue.reason,
  }));
  const first = issues[0] ?? { path: location.basePath ?? '', reason: 'is invalid' };
  throw new InvalidDocumentError(first.reason, {
    object: location.object,
    ...(first.path !== '' ? { path: first.path } : {}),
    issues,
    cause: result.error,
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
