import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { crdFiles } from '../../../controller/crd-files.js';
import { CRD_KINDS, crdKind, customResourceDefinition } from '../../../controller/crds.js';
import type { StructuralSchema } from '../../../controller/structural-schema.js';

const CRDS_DIR = new URL('../../../deploy/kubernetes/crds/', import.meta.url).pathname;

/** Kubernetes' structural rules that matter here: a type on every node unless content is preserved. */
function structuralProblems(node: StructuralSchema, path: string): string[] {
  const allowed = new Set([
    'type',
    'description',
    'properties',
    'additionalProperties',
    'items',
    'enum',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
  ]);
  const problems = Object.keys(node)
    .filter((k) => !allowed.has(k))
    .map((k) => `${path}: ${k} is not allowed`);
  if (!node.type && !node['x-kubernetes-preserve-unknown-fields'] && !node['x-kubernetes-int-or-string'])
    problems.push(`${path}: no type`);
  if (node.properties && node.additionalProperties)
    problems.push(`${path}: properties and additionalProperties`);
  for (const [k, v] of Object.entries(node.properties ?? {}))
    problems.push(...structuralProblems(v, `${path}.${k}`));
  if (node.items) problems.push(...structuralProblems(node.items, `${path}[]`));
  if (node.additionalProperties) problems.push(...structuralProblems(node.additionalProperties, `${path}{}`));
  return problems;
}

function schemaOf(kind: string): StructuralSchema {
  const crd = customResourceDefinition(crdKind(kind)) as {
    spec: { versions: { schema: { openAPIV3Schema: StructuralSchema } }[] };
  };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

describe('the CustomResourceDefinitions', () => {
  it('deploy/kubernetes/crds/ is exactly what the generator writes from the zod schemas (npm run gen:crds)', async () => {
    const expected = crdFiles();
    const present = (await readdir(CRDS_DIR)).sort();
    expect(present).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(await readFile(CRDS_DIR + name, 'utf8'), name).toBe(text);
    for (const [name, text] of expected) {
      for (const doc of parseAllDocuments(text)) expect(doc.errors, name).toEqual([]);
    }
  });

  it('every schema is structural, as the apiserver requires', () => {
    for (const kind of CRD_KINDS) expect(structuralProblems(schemaOf(kind.kind), kind.kind)).toEqual([]);
  });

  it('keeps free-form properties of components and traits, and names every known field', () => {
    const spec = schemaOf('Application').properties!.spec!;
    const component = spec.properties!.components!.items!;
    expect(Object.keys(component.properties!).sort()).toEqual([
      'dependsOn',
      'inputs',
      'name',
      'outputs',
      'properties',
      'traits',
      'type',
    ]);
    expect(component.properties!.properties).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(spec.properties!.workflow!.properties!.mode!.properties!.steps!.enum).toEqual([
      'StepByStep',
      'DAG',
    ]);
  });

  it("prints KubeVela's columns for `kubectl get app` and the `revision list` columns for `kubectl get apprev`", () => {
    const shown = (kind: string) =>
      crdKind(kind)
        .columns.filter((c) => !c.priority)
        .map((c) => c.name);
    expect(shown('Application')).toEqual(['COMPONENT', 'TYPE', 'PHASE', 'HEALTHY', 'STATUS', 'AGE']);
    expect(shown('ApplicationRevision')).toEqual([
      'PUBLISH_VERSION',
      'SUCCEEDED',
      'HASH',
      'BEGIN_TIME',
      'STATUS',
      'SIZE',
    ]);
  });
});
