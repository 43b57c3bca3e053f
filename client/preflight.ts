import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { Application } from '../model/application.js';
import { catalogFromDocuments, mergeCatalogs, type CatalogView } from '../model/catalog-view.js';
import { definitionLabel, type AnyDefinition } from '../model/definition.js';
import { parseDocument, type RevelaDocument } from '../model/document.js';
import { DuplicateNameError } from '../model/errors.js';
import { compileParameterSchema } from '../model/parameters.js';
import { checkDefinitionReady } from '../model/schematic.js';
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

/**
 * Definitions must compile before they are stored: their schema, their templates and status
 * expressions (CUE ones in the CUE engine, which this loads on the first CUE definition).
 */
async function checkDefinition(definition: AnyDefinition): Promise<void> {
  if (definition.kind === 'ComponentDefinition' || definition.kind === 'TraitDefinition') {
    await checkDefinitionReady(definition);
    return;
  }
  if (definition.kind === 'PolicyDefinition' && definition.spec.schematic.cue !== undefined) {
    const { checkCueDefinition } = await import('../cue/definitions.js');
    await checkCueDefinition(definition);
    return;
  }
  const jsonata = definition.spec.schematic.jsonata;
  if (jsonata === undefined) return;
  compileParameterSchema(jsonata.parameter, {
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
  /** Clusters the application names but `clusters` lacks are taken as given (`revela dry-run`). */
  assumeNamedClusters?: boolean;
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
  for (const doc of parsed) if (DEFINITION_KINDS.has(doc.kind)) await checkDefinition(doc as AnyDefinition);

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
    if (sources.clusters && !sources.assumeNamedClusters)
      checkReferencedClusters(
        app,
        sources.clusters.map((c) => c.name),
      );
    const referencedObjects = sources.reader ? await readReferencedObjects(app, sources.reader) : [];
    const snapshot = buildSnapshot({ application: app, catalog, referencedObjects });
    const revision = sources.revision ? sources.revision(app) : 'dry-run';
    const clusters =
      sources.clusters === undefined || sources.assumeNamedClusters
        ? assumedClusters(snapshot, sources.clusters)
        : sources.clusters;
    const steps = await renderRevisionSteps(snapshot, revision, clusters);
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
 * The clusters an application is placed on when there is no registry to ask. Without `known`
 * (a CI client with no kubeconfig, the usual case) placement cannot be checked here, but
 * rendering can: every cluster the application names is assumed to exist and each label selector
 * to match one cluster. Templates that fail to evaluate and objects Kubernetes would refuse are
 * then still caught before anything is sent; unknown clusters and unmatched selectors remain the
 * worker's to report. With `known` (`revela dry-run --clusters`), selectors match those clusters
 * and clusters named by the application are taken as given.
 */
export function assumedClusters(snapshot: RevisionSnapshot, known?: readonly ClusterInfo[]): ClusterInfo[] {
  const clusters = new Map<string, Record<string, string>>(
    known === undefined ? [[LOCAL_CLUSTER, {}]] : known.map((c) => [c.name, c.labels]),
  );
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
    if (selector !== undefined && known === undefined) {
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
