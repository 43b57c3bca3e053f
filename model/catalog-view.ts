/**
 * What a snapshot is resolved against: definitions, external policies and external workflows by
 * name. Built-ins, the `vela-system` catalog and the application's namespace catalog are merged
 * into one view, later sources winning per name.
 *
 * Workflow-safe.
 */
import type {
  ComponentDefinition,
  PolicyDefinition,
  TraitDefinition,
  WorkflowStepDefinition,
} from './definition.js';
import type { RevelaDocument } from './document.js';
import type { Policy } from './policy.js';
import type { Workflow } from './workflow.js';

export interface CatalogView {
  componentDefinitions: Record<string, ComponentDefinition>;
  traitDefinitions: Record<string, TraitDefinition>;
  policyDefinitions: Record<string, PolicyDefinition>;
  workflowStepDefinitions: Record<string, WorkflowStepDefinition>;
  /** External policies of one namespace. */
  policies: Record<string, Policy>;
  /** External workflows of one namespace. */
  workflows: Record<string, Workflow>;
}

export const CATALOG_SECTIONS = [
  'componentDefinitions',
  'traitDefinitions',
  'policyDefinitions',
  'workflowStepDefinitions',
  'policies',
  'workflows',
] as const satisfies readonly (keyof CatalogView)[];

export function emptyCatalog(): CatalogView {
  return {
    componentDefinitions: {},
    traitDefinitions: {},
    policyDefinitions: {},
    workflowStepDefinitions: {},
    policies: {},
    workflows: {},
  };
}

/**
 * Merges views; for each name, the last view that has it wins (pass built-ins, then
 * `vela-system`, then the application's namespace).
 */
export function mergeCatalogs(...views: readonly (Partial<CatalogView> | undefined)[]): CatalogView {
  const merged = emptyCatalog();
  for (const view of views) {
    if (!view) continue;
    Object.assign(merged.componentDefinitions, view.componentDefinitions);
    Object.assign(merged.traitDefinitions, view.traitDefinitions);
    Object.assign(merged.policyDefinitions, view.policyDefinitions);
    Object.assign(merged.workflowStepDefinitions, view.workflowStepDefinitions);
    Object.assign(merged.policies, view.policies);
    Object.assign(merged.workflows, view.workflows);
  }
  return merged;
}

/** A view holding the catalog documents among `documents` (Applications are ignored). */
export function catalogFromDocuments(documents: readonly RevelaDocument[]): CatalogView {
  const view = emptyCatalog();
  for (const doc of documents) {
    switch (doc.kind) {
      case 'ComponentDefinition':
        view.componentDefinitions[doc.metadata.name] = doc;
        break;
      case 'TraitDefinition':
        view.traitDefinitions[doc.metadata.name] = doc;
        break;
      case 'PolicyDefinition':
        view.policyDefinitions[doc.metadata.name] = doc;
        break;
      case 'WorkflowStepDefinition':
        view.workflowStepDefinitions[doc.metadata.name] = doc;
        break;
      case 'Policy':
        view.policies[doc.metadata.name] = doc;
        break;
      case 'Workflow':
        view.workflows[doc.metadata.name] = doc;
        break;
      case 'Application':
        break;
    }
  }
  return view;
}
