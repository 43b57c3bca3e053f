export { createActivities } from './create-activities.js';
export type { ActivityDeps } from './deps.js';
export * from './types.js';
