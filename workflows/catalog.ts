import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { emptyCatalog, type CatalogView } from '../model/catalog-view.js';
import { canonicalJson } from '../model/canonical-json.js';
import { reject, RejectionType } from './failures.js';
import {
  catalogApplyUpdate,
  catalogDeleteUpdate,
  catalogQuery,
  type CatalogApplyRequest,
  type CatalogChange,
  type CatalogDocument,
} from './messages.js';

export interface CatalogWorkflowInput {
  namespace: string;
  state?: CatalogView;
  /** Continue-as-new after this many updates. @default 500 */
  maxUpdatesPerRun?: number;
}

type Section = keyof CatalogView;

/** Which part of the catalog holds each kind. */
const SECTION: Record<CatalogDocument['kind'], Section> = {
  ComponentDefinition: 'componentDefinitions',
  TraitDefinition: 'traitDefinitions',
  PolicyDefinition: 'policyDefinitions',
  WorkflowStepDefinition: 'workflowStepDefinitions',
  Policy: 'policies',
  Workflow: 'workflows',
};

/** The catalog of one namespace: definitions, external policies and external workflows. */
export class CatalogState {
  readonly view: CatalogView;
  updates = 0;

  constructor(
    readonly namespace: string,
    view?: CatalogView,
  ) {
    this.view = view ?? emptyCatalog();
  }

  validateDocuments(documents: CatalogDocument[]): void {
    if (!Array.isArray(documents) || documents.length === 0) {
      throw reject(RejectionType.InvalidRequest, 'no documents to apply');
    }
    for (const [i, doc] of documents.entries()) {
      if (!(doc?.kind in SECTION)) {
        throw reject(
          RejectionType.InvalidRequest,
          `documents[${i}]: kind ${String(doc?.kind)} does not belong in a catalog`,
        );
      }
      const ns = doc.metadata.namespace ?? this.namespace;
      if (ns !== this.namespace) {
        throw reject(
          RejectionType.NameMismatch,
          `documents[${i}]: ${doc.kind} ${doc.metadata.name} is in namespace ${ns}, not ${this.namespace}`,
        );
      }
    }
  }

  apply(documents: CatalogDocument[]): CatalogChange[] {
    this.updates++;
    return documents.map((doc) => {
      const section = this.view[SECTION[doc.kind]] as Record<string, CatalogDocument>;
      const stored = { ...doc, metadata: { ...doc.metadata, namespace: this.namespace } } as CatalogDocument;
      const previous = section[doc.metadata.name];
      const change: CatalogChange['change'] = !previous
        ? 'created'
        : canonicalJson(previous) === canonicalJson(stored)
          ? 'unchanged'
          : 'configured';
      section[doc.metadata.name] = stored;
      return { kind: doc.kind, name: doc.metadata.name, change };
    });
  }

  delete(kind: CatalogDocument['kind'], name: string): CatalogChange {
    const sectionName = SECTION[kind];
    if (!sectionName) throw reject(RejectionType.InvalidRequest, `kind ${kind} does not belong in a catalog`);
    const section = this.view[sectionName] as Record<string, unknown>;
    if (!(name in section)) {
      throw reject(RejectionType.RevisionNotFound, `${kind} ${this.namespace}/${name} not found`);
    }
    this.updates++;
    delete section[name];
    return { kind, name, change: 'deleted' };
  }
}

/**
 * `catalog/<ns>`: holds what applications of a namespace reference by name. Revisions never read
 * it at run time — a publish copies what it uses into the snapshot — so editing the catalog
 * changes nothing that runs (live-diff shows it).
 */
export async function catalog(input: CatalogWorkflowInput): Promise<void> {
  const state = new CatalogState(input.namespace, input.state);
  const maxUpdates = input.maxUpdatesPerRun ?? 500;
  setHandler(catalogQuery, () => state.view);
  setHandler(catalogApplyUpdate, ({ documents }) => state.apply(documents), {
    validator: ({ documents }: CatalogApplyRequest) => state.validateDocuments(documents),
  });
  setHandler(catalogDeleteUpdate, ({ kind, name }) => state.delete(kind, name));

  await condition(() => state.updates >= maxUpdates || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof catalog>({ ...input, state: state.view });
}
