/**
 * The CustomResourceDefinitions of Revela's Kubernetes front door, generated from the zod schemas
 * of `model/` (one source of truth): `kubectl get app` and `kubectl get apprev` print KubeVela's
 * columns, and every kind has a status subresource the controller writes.
 *
 * `deploy/kubernetes/crds/` holds the generated YAML; a unit test fails when it drifts from this
 * file (regenerate with `npm run gen:crds`).
 */
import { z } from 'zod';
import { ApplicationSpecSchema } from '../model/application.js';
import {
  ComponentDefinitionSchema,
  PolicyDefinitionSchema,
  TraitDefinitionSchema,
  WorkflowStepDefinitionSchema,
} from '../model/definition.js';
import { PolicySchema } from '../model/policy.js';
import { WorkflowSchema } from '../model/workflow.js';
import { RevisionObjectSpecSchema } from './revision-object.js';
import { toStructural, type JsonSchemaNode, type StructuralSchema } from './structural-schema.js';

export const OAM_GROUP = 'core.oam.dev';

/** One kind the controller serves: its names, version and schema. */
export interface CrdKind {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly version: 'v1beta1' | 'v1alpha1';
  /** The object's own fields (beside apiVersion, kind, metadata and status). */
  readonly fields: Record<string, StructuralSchema>;
  readonly columns: readonly PrinterColumn[];
  /** The controller writes `.status` (absent for the read-only ApplicationRevision). */
  readonly status: boolean;
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'date' | 'integer';
  readonly jsonPath: string;
  readonly priority?: number;
}

function structural(schema: z.ZodType): StructuralSchema {
  return toStructural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode);
}

/** The fields of a document schema other than apiVersion, kind and metadata. */
function documentFields(schema: z.ZodType): Record<string, StructuralSchema> {
  const { properties = {} } = structural(schema);
  const fields = { ...properties };
  delete fields.apiVersion;
  delete fields.kind;
  delete fields.metadata;
  return fields;
}

const AGE: PrinterColumn = { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const READY: PrinterColumn = {
  name: 'READY',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};

function definitionKind(kind: string, plural: string, shortNames: string[], schema: z.ZodType): CrdKind {
  return {
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    version: 'v1beta1',
    fields: documentFields(schema),
    columns: [READY, AGE],
    status: true,
  };
}

/** Every kind, in the order the YAML lists them. */
export const CRD_KINDS: readonly CrdKind[] = [
  {
    kind: 'Application',
    plural: 'applications',
    singular: 'application',
    shortNames: ['app'],
    version: 'v1beta1',
    fields: { spec: structural(ApplicationSpecSchema) },
    // KubeVela's columns of `kubectl get app`.
    columns: [
      { name: 'COMPONENT', type: 'string', jsonPath: '.spec.components[*].name' },
      { name: 'TYPE', type: 'string', jsonPath: '.spec.components[*].type' },
      { name: 'PHASE', type: 'string', jsonPath: '.status.status' },
      { name: 'HEALTHY', type: 'boolean', jsonPath: '.status.services[*].healthy' },
      { name: 'STATUS', type: 'string', jsonPath: '.status.services[*].message' },
      { name: 'REVISION', type: 'string', jsonPath: '.status.latestRevision.name', priority: 1 },
      AGE,
    ],
    status: true,
  },
  {
    kind: 'ApplicationRevision',
    plural: 'applicationrevisions',
    singular: 'applicationrevision',
    shortNames: ['apprev'],
    version: 'v1beta1',
    fields: { spec: structural(RevisionObjectSpecSchema) },
    // The columns of `revela revision list` (KubeVela's `vela revision list`).
    columns: [
      { name: 'PUBLISH_VERSION', type: 'string', jsonPath: '.spec.publishVersion' },
      { name: 'SUCCEEDED', type: 'boolean', jsonPath: '.spec.succeeded' },
      { name: 'HASH', type: 'string', jsonPath: '.spec.hash' },
      { name: 'BEGIN_TIME', type: 'string', jsonPath: '.spec.beginTimeText' },
      { name: 'STATUS', type: 'string', jsonPath: '.spec.status' },
      { name: 'SIZE', type: 'string', jsonPath: '.spec.sizeText' },
      { name: 'DESCRIPTION', type: 'string', jsonPath: '.spec.description', priority: 1 },
    ],
    status: false,
  },
  {
    kind: 'Policy',
    plural: 'policies',
    singular: 'policy',
    shortNames: [],
    version: 'v1alpha1',
    fields: documentFields(PolicySchema),
    columns: [{ name: 'TYPE', type: 'string', jsonPath: '.type' }, READY, AGE],
    status: true,
  },
  {
    kind: 'Workflow',
    plural: 'workflows',
    singular: 'workflow',
    shortNames: [],
    version: 'v1alpha1',
    fields: documentFields(WorkflowSchema),
    columns: [READY, AGE],
    status: true,
  },
  definitionKind('ComponentDefinition', 'componentdefinitions', ['comp'], ComponentDefinitionSchema),
  definitionKind('TraitDefinition', 'traitdefinitions', ['trait'], TraitDefinitionSchema),
  definitionKind('PolicyDefinition', 'policydefinitions', ['def-policy'], PolicyDefinitionSchema),
  definitionKind(
    'WorkflowStepDefinition',
    'workflowstepdefinitions',
    ['workflowstep'],
    WorkflowStepDefinitionSchema,
  ),
];

/** The kind by its `kind` field. */
export function crdKind(kind: string): CrdKind {
  const found = CRD_KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(`no CRD for kind ${kind}`);
  return found;
}

/** `applications.core.oam.dev`. */
export function crdName(kind: CrdKind): string {
  return `${kind.plural}.${OAM_GROUP}`;
}

/** The CustomResourceDefinition object of one kind. */
export function customResourceDefinition(kind: CrdKind): Record<string, unknown> {
  const schema: StructuralSchema = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...kind.fields,
      ...(kind.status ? { status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } : {}),
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: crdName(kind),
      labels: { 'app.kubernetes.io/part-of': 'revela' },
    },
    spec: {
      group: OAM_GROUP,
      scope: 'Namespaced',
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [...kind.shortNames],
        categories: ['oam'],
      },
      versions: [
        {
          name: kind.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(kind.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: kind.columns.map((c) => ({ ...c })),
        },
      ],
    },
  };
}
