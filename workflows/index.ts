export { application } from './application.js';
export { catalog } from './catalog.js';
export { revision } from './revision.js';
