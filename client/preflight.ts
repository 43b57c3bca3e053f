import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { Application } from '../model/application.js';
import { catalogFromDocuments, mergeCatalogs, type CatalogView } from '../model/catalog-view.js';
import { definitionLabel, type AnyDefinition } from '../model/definition.js';
import { parseDocument, type RevelaDocument } from '../model/document.js';
import { DuplicateNameError } from '../model/errors.js';
import { compileExpression } from '../model/jsonata-eval.js';
import { compileParameterSchema } from '../model/parameters.js';
import { buildSnapshot, referencedObjectRefs } from '../model/snapshot-builder.js';
import { checkReferencedClusters } from '../model/ref-objects.js';
import { renderRevisionSteps } from '../model/step-render.js';
import { readMergedCatalog } from './read-catalog.js';

const DEFINITION_KINDS = new Set(['ComponentDefinition', 'TraitDefinition', 'PolicyDefinition', 'WorkflowStepDefinition']);

/** Definitions must compile before they are stored: their schema with ajv, their JSONata templates. */
function checkDefinition(definition: AnyDefinition): void {
  const object = definitionLabel(definition);
  const jsonata = (definition.spec as { schematic?: { jsonata?: { parameter?: Record<string, unknown>; template?: string } } })
    .schematic?.jsonata;
  if (jsonata?.parameter) compileParameterSchema(jsonata.parameter, { object, path: 'spec.schematic.jsonata.parameter' });
  const at = (path: string) => ({ definition: definition.metadata.name, object, path });
  if (jsonata?.template !== undefined) compileExpression(jsonata.template, at('spec.schematic.jsonata.template'));
  const status = (definition.spec as { status?: { healthPolicy?: string; customStatus?: string } }).status;
  if (status?.healthPolicy !== undefined) compileExpression(status.healthPolicy, at('spec.status.healthPolicy'));
  if (status?.customStatus !== undefined) compileExpression(status.customStatus, at('spec.status.customStatus'));
}

function key(doc: RevelaDocument): string {
  return `${doc.kind} ${doc.metadata.namespace ?? 'default'}/${doc.metadata.name}`;
}

/**
 * Validates a batch of documents before anything is sent, so a bad batch records nothing — no
 * catalog entry, no draft, not even an application entity: shapes and names, duplicates,
 * definitions that do not compile, and every application resolved into a snapshot against the
 * catalog it would see (the server's plus this batch) and placed on the known clusters.
 *
 * The worker validates again at publish; this is what makes a refused first publish leave no
 * trace. Without a cluster registry (no kubeconfig here) placement is left to the worker.
 *
 * @throws RevelaError naming the object and the path
 */
export async function preflight(
  temporal: Client,
  documents: readonly RevelaDocument[],
  registry: ClusterRegistry | undefined,
): Promise<void> {
  const seen = new Map<string, number>();
  const parsed = documents.map((doc, index) => {
    const valid = parseDocument(doc, { index });
    const k = key(valid);
    const first = seen.get(k);
    if (first !== undefined) {
      throw new DuplicateNameError(valid.kind, valid.metadata.name, {
        object: k,
        path: `documents[${index}]`,
        reason: `${k} appears twice in one apply (documents ${first} and ${index})`,
      });
    }
    seen.set(k, index);
    return valid;
  });
  for (const doc of parsed) if (DEFINITION_KINDS.has(doc.kind)) checkDefinition(doc as AnyDefinition);

  const apps = parsed.filter((d): d is Application => d.kind === 'Application');
  if (apps.length === 0) return;
  const catalogs = new Map<string, CatalogView>();
  for (const app of apps) {
    const namespace = app.metadata.namespace ?? 'default';
    let catalog = catalogs.get(namespace);
    if (!catalog) {
      const batchHere = catalogFromDocuments(parsed.filter((d) => (d.metadata.namespace ?? 'default') === namespace));
      // Definitions of this batch apply to every namespace only when they live in vela-system.
      const batchSystem = catalogFromDocuments(parsed.filter((d) => d.metadata.namespace === 'vela-system'));
      catalog = mergeCatalogs(await readMergedCatalog(temporal, namespace), batchSystem, batchHere);
      catalogs.set(namespace, catalog);
    }
    const refs = referencedObjectRefs(app);
    if (refs.length > 0 && !registry) continue;
    if (registry) checkReferencedClusters(app, registry.list().map((c) => c.name));
    const referencedObjects = registry
      ? await Promise.all(
          refs.map(async ({ cluster, ref }) => {
            const name = cluster ?? 'local';
            const object = await registry.client(name).read(ref);
            return object ? [{ cluster: name, object }] : [];
          }),
        )
      : [];
    const snapshot = buildSnapshot({ application: app, catalog, referencedObjects: referencedObjects.flat() });
    if (registry) await renderRevisionSteps(snapshot, 'dry-run', registry.list());
  }
}
