import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
// A CommonJS package whose exports Node's ESM loader cannot list: use its default export.
import proto from '@temporalio/proto';
import { REVELA_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const { temporal } = proto;
const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers Revela's search attributes in a namespace through the operator service. Idempotent:
 * only missing keys are added, and a concurrent registration ("already exists") is fine. A dev
 * server started on an existing SQLite file ignores `--search-attribute`, hence this call.
 *
 * @returns the keys that were added (empty when all existed)
 */
export async function registerSearchAttributes(
  connection: Pick<Connection | NativeConnection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = REVELA_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !known.has(name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    // gRPC ALREADY_EXISTS (6): another worker registered them between our list and add.
    if ((err as { code?: number }).code !== 6) throw err;
  }
  return missing;
}
