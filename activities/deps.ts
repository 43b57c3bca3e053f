import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { CatalogView } from '../model/catalog-view.js';

/** What activities need from the outside world; tests pass their own. */
export interface ActivityDeps {
  /** The clusters Revela deploys to. */
  readonly registry: ClusterRegistry;
  /** Reads namespace catalogs and terminates runs that ignore cancellation. */
  readonly temporal: Client;
  /**
   * The catalog a publish resolves against, merged from built-ins, `vela-system` and the app's
   * namespace. Defaults to querying the catalog workflows through `temporal`.
   */
  readonly readCatalog?: (namespace: string) => Promise<CatalogView>;
}
