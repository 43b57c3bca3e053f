import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { Application } from '../model/application.js';
import { catalogFromDocuments, mergeCatalogs, type CatalogView } from '../model/catalog-view.js';
import { definitionLabel, type AnyDefinition } from '../model/definition.js';
import { parseDocument, type RevelaDocument } from '../model/document.js';
import { DuplicateNameError } from '../model/errors.js';
import { compileParameterSchema } from '../model/parameters.js';
import { checkDefinitionCompiles } from '../model/schematic.js';
import { buildSnapshot } from '../model/snapshot-builder.js';
import {
  checkReferencedClusters,
  readReferencedObjects,
  referencedObjectRefsDetailed,
  type ReferencedObjectReader,
} from '../model/ref-objects.js';
import { STEP_TYPE_APPLY_COMPONENT } from '../model/app-references.js';
import { LOCAL_CLUSTER, type ClusterInfo } from '../model/cluster-info.js';
import { POLICY_TYPE_TOPOLOGY, TopologyPropertiesSchema } from '../model/policy.js';
import type { RevisionSnapshot } from '../model/snapshot.js';
import { renderRevisionSteps, type RenderedRevisionStep } from '../model/step-render.js';
import { deploySteps } from '../model/step-request.js';
import { planWorkflow } from '../model/workflow-plan.js';
import { readMergedCatalog } from './read-catalog.js';

const DEFINITION_KINDS = new Set([
  'ComponentDefinition',
  'TraitDefinition',
  'PolicyDefinition',
  'WorkflowStepDefinition',
]);

/** Definitions must compile before they are stored: their schema, their templates and status expressions. */
function checkDefinition(definition: AnyDefinition): void {
  if (definition.kind === 'ComponentDefinition' || definition.kind === 'TraitDefinition') {
    checkDefinitionCompiles(definition);
    return;
  }
  compileParameterSchema(definition.spec.schematic.jsonata.parameter, {
    object: definitionLabel(definition),
    path: 'spec.schematic.jsonata.parameter',
  });
}

function key(doc: RevelaDocument): string {
  return `${doc.kind} ${doc.metadata.namespace ?? 'default'}/${doc.metadata.name}`;
}

/** Where a preflight takes what the documents do not carry. */
export interface PreflightSources {
  /** The catalog an application in `namespace` sees before this batch (the server's, or the built-ins offline). */
  readCatalog(namespace: string): Promise<CatalogView>;
  /**
   * The clusters placement chooses from. Absent: every cluster the application names is assumed
   * to exist and each label selector to match one (see `assumedClusters`).
   */
  clusters?: readonly ClusterInfo[];
  /** Reads what `ref-objects` components name. Absent: such applications are left to the worker. */
  reader?: ReferencedObjectReader;
  /** The revision name rendered into labels. @default `dry-run` */
  revision?: (app: Application) => string;
}

/** One application of a batch as preflight resolved it: its snapshot and every deploying step rendered. */
export interface PreflightResult {
  application: Application;
  snapshot: RevisionSnapshot;
  steps: RenderedRevisionStep[];
}

/**
 * The one pipeline behind publish preflight and `revela dry-run`: parses the documents, refuses
 * duplicates and definitions that do not compile, then builds every application's snapshot
 * against the catalog it would see (`sources.readCatalog` plus this batch) and renders every
 * deploying step on the clusters it would be placed on.
 *
 * @throws RevelaError naming the object and the path
 */
export async function preflightDocuments(
  documents: readonly RevelaDocument[],
  sources: PreflightSources,
): Promise<PreflightResult[]> {
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
  const catalogs = new Map<string, CatalogView>();
  const results: PreflightResult[] = [];
  for (const app of apps) {
    const namespace = app.metadata.namespace ?? 'default';
    let catalog = catalogs.get(namespace);
    if (!catalog) {
      const batchHere = catalogFromDocuments(
        parsed.filter((d) => (d.metadata.namespace ?? 'default') === namespace),
      );
      // Definitions of this batch apply to every namespace only when they live in vela-system.
      const batchSystem = catalogFromDocuments(parsed.filter((d) => d.metadata.namespace === 'vela-system'));
      catalog = mergeCatalogs(await sources.readCatalog(namespace), batchSystem, batchHere);
      catalogs.set(namespace, catalog);
    }
    if (referencedObjectRefsDetailed(app).length > 0 && !sources.reader) continue;
    if (sources.clusters)
      checkReferencedClusters(
        app,
        sources.clusters.map((c) => c.name),
      );
    const referencedObjects = sources.reader ? await readReferencedObjects(app, sources.reader) : [];
    const snapshot = buildSnapshot({ application: app, catalog, referencedObjects });
    const revision = sources.revision ? sources.revision(app) : 'dry-run';
    const steps = await renderRevisionSteps(
      snapshot,
      revision,
      sources.clusters ?? assumedClusters(snapshot),
    );
    results.push({ application: app, snapshot, steps });
  }
  return results;
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
  await preflightDocuments(documents, {
    readCatalog: (namespace) => readMergedCatalog(temporal, namespace),
    ...(registry
      ? {
          clusters: registry.list(),
          reader: {
            read: (cluster, ref) => registry.client(cluster).read(ref),
            list: (cluster, query) => registry.client(cluster).list(query),
          },
        }
      : {}),
  });
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
