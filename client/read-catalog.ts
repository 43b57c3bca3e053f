import type { Client } from '@temporalio/client';
import type { CatalogView } from '../model/catalog-view.js';
import { CatalogCache } from './catalog-cache.js';

/** One cache per Temporal client: a worker's activities and a long-lived client each keep theirs. */
const caches = new WeakMap<Client, CatalogCache>();

function cacheOf(temporal: Client): CatalogCache {
  let cache = caches.get(temporal);
  if (!cache) {
    cache = new CatalogCache(temporal);
    caches.set(temporal, cache);
  }
  return cache;
}

/** Built-ins, overridden by `vela-system`, overridden by the application's own namespace. */
export function readMergedCatalog(temporal: Client, namespace: string): Promise<CatalogView> {
  return cacheOf(temporal).readMerged(namespace);
}

/** The same, only when every part is kept and unchanged (no query); else undefined. */
export function readKeptCatalog(temporal: Client, namespace: string): Promise<CatalogView | undefined> {
  return cacheOf(temporal).readMergedKept(namespace);
}
