/**
 * Turns the JSON Schema that zod 4 writes (`z.toJSONSchema`) into a Kubernetes *structural*
 * schema (apiextensions.k8s.io/v1): every node has a type, free-form maps keep their content with
 * `x-kubernetes-preserve-unknown-fields`, and nothing the apiserver refuses (`$schema`,
 * `propertyNames`, `const`, `additionalProperties: false`) remains.
 *
 * The CRD schema checks the *shape* (types, field names, enums) so `kubectl apply` refuses a typo
 * such as `tratis` at once. Value rules (`required`, `minLength`, regexes written for JavaScript,
 * DNS names, preprocessing such as naming an unnamed policy) stay with zod in the controller, so
 * an object the apiserver stored gets the same typed, path-naming error the CLI gives — in its
 * status conditions — instead of a second, slightly different rule set.
 */

/** A JSON Schema node as zod writes it (only the keywords it uses). */
export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  items?: JsonSchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  description?: string;
  default?: unknown;
  [key: string]: unknown;
}

/** The subset of OpenAPI v3 a CRD schema uses. */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-int-or-string'?: true;
}

const FREE_FORM: StructuralSchema = { 'x-kubernetes-preserve-unknown-fields': true };

function isEmpty(node: JsonSchemaNode | boolean | undefined): boolean {
  if (node === undefined || node === true) return true;
  if (node === false) return false;
  return Object.keys(node).filter((k) => k !== 'description').length === 0;
}

function withDescription(schema: StructuralSchema, node: JsonSchemaNode): StructuralSchema {
  return typeof node.description === 'string' ? { ...schema, description: node.description } : schema;
}

function scalarType(type: string): StructuralSchema['type'] {
  switch (type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'object':
    case 'array':
      return type;
    default:
      return undefined;
  }
}

/** `a | b`: one structural type when every branch has the same one, otherwise free-form. */
function union(branches: JsonSchemaNode[]): StructuralSchema {
  const converted = branches.map(toStructural);
  const types = new Set(converted.map((c) => c.type));
  if (types.size === 1 && !types.has(undefined)) {
    const [first] = converted;
    const enums = converted.flatMap((c) => c.enum ?? []);
    const allEnums = converted.every((c) => c.enum !== undefined);
    if (first?.type !== 'object' && first?.type !== 'array')
      return { type: first?.type, ...(allEnums ? { enum: enums } : {}) };
    // Objects of different shapes: keep every field of every branch so none is pruned.
    if (first.type === 'object' && converted.every((c) => c.properties)) {
      const properties: Record<string, StructuralSchema> = {};
      for (const c of converted) Object.assign(properties, c.properties);
      return { type: 'object', properties };
    }
    return { ...first, 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (types.size === 2 && types.has('string') && types.has('integer'))
    return { 'x-kubernetes-int-or-string': true };
  return FREE_FORM;
}

/**
 * The structural form of one JSON Schema node.
 *
 * @example
 * ```ts
 * toStructural(z.toJSONSchema(ApplicationSpecSchema, { io: 'input' }) as JsonSchemaNode);
 * ```
 */
export function toStructural(node: JsonSchemaNode): StructuralSchema {
  if (isEmpty(node)) return withDescription(FREE_FORM, node);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return withDescription(union(alternatives), node);
  if (Array.isArray(node.type)) return withDescription(union(node.type.map((t) => ({ type: t }))), node);
  if (node.const !== undefined) {
    return withDescription({ type: scalarType(typeof node.const) ?? 'string', enum: [node.const] }, node);
  }
  const type = typeof node.type === 'string' ? scalarType(node.type) : undefined;
  if (type === undefined) return withDescription(FREE_FORM, node);
  if (type === 'array') {
    return withDescription({ type, items: node.items ? toStructural(node.items) : FREE_FORM }, node);
  }
  if (type === 'object') return withDescription(objectSchema(node), node);
  return withDescription({ type, ...(node.enum ? { enum: node.enum } : {}) }, node);
}

function objectSchema(node: JsonSchemaNode): StructuralSchema {
  const properties = node.properties
    ? Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toStructural(v)]))
    : undefined;
  const extra = node.additionalProperties;
  if (properties) {
    // A strict object (`additionalProperties: false`) needs nothing more: the apiserver prunes or,
    // with kubectl's default strict field validation, refuses unknown fields.
    return { type: 'object', properties };
  }
  // A map: `record<string, string>` keeps its value type; `record<string, unknown>` is free-form.
  if (extra === undefined || extra === true || isEmpty(extra)) {
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (extra === false) return { type: 'object' };
  return { type: 'object', additionalProperties: toStructural(extra) };
}
