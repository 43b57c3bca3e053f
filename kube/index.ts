export * from './cluster-client.js';
export * from './cluster-registry.js';
export * from './errors.js';
export * from './format-age.js';
export * from './health.js';
export * from './label-selector.js';
export { applyTimeOf, buildResourceTree, resourceDetails } from './resource-tree.js';
export type {
  ResourceTreeDetails,
  ResourceTreeInput,
  ResourceTreeRow,
  ResourceTreeStatus,
} from './resource-tree.js';
