import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { loadBuiltinDefinitions } from '../definitions/index.js';
import { emptyCatalog, mergeCatalogs, type CatalogView } from '../model/catalog-view.js';
import { catalogWorkflowId, SYSTEM_NAMESPACE } from '../model/ids.js';
import { catalogQuery } from '../workflows/messages.js';
import { queryWithRetry } from './query-retry.js';

async function queryCatalog(temporal: Client, namespace: string): Promise<CatalogView> {
  try {
    return await queryWithRetry(temporal.workflow.getHandle(catalogWorkflowId(namespace)), catalogQuery, []);
  } catch (err) {
    // No catalog workflow yet means nothing was applied to that namespace.
    if (err instanceof WorkflowNotFoundError) return emptyCatalog();
    throw err;
  }
}

/** Built-ins, overridden by `vela-system`, overridden by the application's own namespace. */
export async function readMergedCatalog(temporal: Client, namespace: string): Promise<CatalogView> {
  const [system, own] = await Promise.all([
    queryCatalog(temporal, SYSTEM_NAMESPACE),
    namespace === SYSTEM_NAMESPACE ? Promise.resolve(emptyCatalog()) : queryCatalog(temporal, namespace),
  ]);
  return mergeCatalogs(loadBuiltinDefinitions(), system, own);
}
