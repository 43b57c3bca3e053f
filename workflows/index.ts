// Declares each workflow type's versioning behaviour (pinned revisions, auto-upgrading entities).
import './versioning.js';
export { application } from './application.js';
export { catalog } from './catalog.js';
export { restartTimer } from './restart-timer.js';
export { revision } from './revision.js';
export { rollback } from './rollback.js';
export { stateKeep } from './state-keep.js';
