import type { Client } from '@temporalio/client';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { CatalogView } from '../model/catalog-view.js';

/** What activities need from the outside world; tests pass their own. */
export interface ActivityDeps {
  /** The clusters Revela deploys to. */
  readonly registry: ClusterRegistry;
  /** Terminates runs that ignore cancellation and describes runs that did not report. */
  readonly temporal: Client;
  /**
   * The catalog a publish resolves against, merged from built-ins, `vela-system` and the app's
   * namespace. The worker queries the catalog workflows (`client/read-catalog.ts`); activities
   * never import `client/`.
   */
  readonly readCatalog: (namespace: string) => Promise<CatalogView>;
  /**
   * The same catalog when it can be had without a query (every part kept and unchanged, or
   * absent), else undefined: what `resolveKeptSnapshot` may use as a local activity, which must
   * never wait for a workflow task slot. Absent: every publish resolves by `resolveSnapshot`.
   */
  readonly readKeptCatalog?: (namespace: string) => Promise<CatalogView | undefined>;
}
