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
import { STEP_TYPE_APPLY_COMPONENT } from '../model/app-references.js';
import { LOCAL_CLUSTER, type ClusterInfo } from '../model/cluster-info.js';
import { POLICY_TYPE_TOPOLOGY, TopologyPropertiesSchema } from '../model/policy.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { renderRevisionSteps } from '../model/step-render.js';
import { deploySteps } from '../model/step-request.js';
import { planWorkflow } from '../model/workflow-plan.js';
import { readMergedCatalog } from './read-catalog.js';

const DEFINITION_KINDS = new Set([
  'ComponentDefinition',
  'TraitDefinition',
  'PolicyDefinition',
  'WorkflowStepDefinition',
]);

/** Definitions must compile before they are stored: their schema with ajv, their JSONata templates. */
function checkDefinition(definition: AnyDefinition): void {
  const object = definitionLabel(definition);
  const jsonata = (
    definition.spec as {
      schematic?: { jsonata?: { parameter?: Record<string, unknown>; template?: string } };
    }
  ).schematic?.jsonata;
  if (jsonata?.parameter)
    compileParameterSchema(jsonata.parameter, { object, path: 'spec.schematic.jsonata.parameter' });
  const at = (path: string) => ({ definition: definition.metadata.name, object, path });
  if (jsonata?.template !== undefined)
    compileExpression(jsonata.template, at('spec.schematic.jsonata.template'));
  const status = (definition.spec as { status?: { healthPolicy?: string; customStatus?: string } }).status;
  if (status?.healthPolicy !== undefined)
    compileExpression(status.healthPolicy, at('spec.status.healthPolicy'));
  if (status?.customStatus !== undefined)
    compileExpression(status.customStatus, at('spec.status.customStatus'));
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
 * trace. Without a cluster registry (no kubeconfig here) placement and the objects `ref-objects`
 * reads are left to the worker; rendering is still checked (see `assumedClusters`).
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
      const batchHere = catalogFromDocuments(
        parsed.filter((d) => (d.metadata.namespace ?? 'default') === namespace),
      );
      // Definitions of this batch apply to every namespace only when they live in vela-system.
      const batchSystem = catalogFromDocuments(parsed.filter((d) => d.metadata.namespace === 'vela-system'));
      catalog = mergeCatalogs(await readMergedCatalog(temporal, namespace), batchSystem, batchHere);
      catalogs.set(namespace, catalog);
    }
    const refs = referencedObjectRefs(app);
    if (refs.length > 0 && !registry) continue;
    if (registry)
      checkReferencedClusters(
        app,
        registry.list().map((c) => c.name),
      );
    const referencedObjects = registry
      ? await Promise.all(
          refs.map(async ({ cluster, ref }) => {
            const name = cluster ?? 'local';
            const object = await registry.client(name).read(ref);
            return object ? [{ cluster: name, object }] : [];
          }),
        )
      : [];
    const snapshot = buildSnapshot({
      application: app,
      catalog,
      referencedObjects: referencedObjects.flat(),
    });
    await renderRevisionSteps(snapshot, 'dry-run', registry ? registry.list() : assumedClusters(snapshot));
  }
}

/**
 * Without a cluster registry (a CI client with no kubeconfig, the usual case) placement cannot be
 * checked here, but rendering can: assume that every cluster the application names exists and
 * that each label selector matches one cluster. Templates that fail to evaluate and objects
 * Kubernetes would refuse are then still caught before anything is sent — before, such a batch
 * stored its catalog documents and created the application's entity before the worker refused.
 * Unknown clusters and unmatched selectors remain the worker's to report.
 */
function assumedClusters(snapshot: RevisionSnapshot): ClusterInfo[] {
  const clusters = new Map<string, Record<string, string>>([[LOCAL_CLUSTER, {}]]);
  const policies = [
    ...(snapshot.application.spec.policies ?? []),
    ...Object.values(snapshot.externalPolicies),
  ];
  for (const policy of policies) {
    if (policy.type !== POLICY_TYPE_TOPOLOGY) continue;
    const parsed = TopologyPropertiesSchema.safeParse(policy.properties ?? {});
    if (!parsed.success) continue;
    const props = parsed.data;
    for (const name of props.clusters ?? []) clusters.set(name, clusters.get(name) ?? {});
    const selector = props.clusterLabelSelector ?? props.clusterSelector;
    if (selector !== undefined) {
      const text = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      clusters.set(`(a cluster matching ${text})`, { ...selector });
    }
  }
  for (const step of deploySteps(planWorkflow(snapshot).steps)) {
    const cluster = step.properties.cluster;
    if (step.type === STEP_TYPE_APPLY_COMPONENT && typeof cluster === 'string')
      clusters.set(cluster, clusters.get(cluster) ?? {});
  }
  return [...clusters].map(([name, labels]) => ({ name, labels }));
}
