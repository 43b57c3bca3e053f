import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { loadBuiltinDefinitions } from '../definitions/index.js';
import { emptyCatalog, mergeCatalogs, type CatalogView } from '../model/catalog-view.js';
import { catalogWorkflowId, SYSTEM_NAMESPACE } from '../model/ids.js';
import { catalogQuery } from '../workflows/messages.js';
import { grpcCode, GrpcStatus } from './grpc-status.js';
import { queryWithRetry } from './query-retry.js';

interface Kept {
  readonly runId: string;
  readonly historyLength: number;
  readonly view: CatalogView;
}

/**
 * Catalogs kept between reads while their workflow is unchanged: a worker resolves every publish
 * against the catalog of `vela-system` and of the application's namespace, and a query of each
 * costs a workflow task on the worker holding the catalog (two per publish on the one workflow
 * thread). A describe costs the server alone. A catalog changes only through an update or a
 * signal, which adds events, and continue-as-new gives a new run: the same run and history length
 * mean the same catalog. The length is read before the query, so a change that lands in between
 * only makes the next read query again, never keeps an older view.
 */
export class CatalogCache {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly temporal: Client) {}

  /** Built-ins, overridden by `vela-system`, overridden by the application's own namespace. */
  async readMerged(namespace: string): Promise<CatalogView> {
    return (await this.merged(namespace, true)) as CatalogView;
  }

  /**
   * As {@link readMerged}, but only from kept views: undefined when a part changed or was never
   * read, which only a query (a workflow task on some worker) could answer.
   */
  readMergedKept(namespace: string): Promise<CatalogView | undefined> {
    return this.merged(namespace, false);
  }

  /** One namespace's catalog, empty when nothing was ever applied there. */
  async read(namespace: string): Promise<CatalogView> {
    return (await this.part(namespace, true)) as CatalogView;
  }

  private async merged(namespace: string, query: boolean): Promise<CatalogView | undefined> {
    const [system, own] = await Promise.all([
      this.part(SYSTEM_NAMESPACE, query),
      namespace === SYSTEM_NAMESPACE ? Promise.resolve(emptyCatalog()) : this.part(namespace, query),
    ]);
    return system && own ? mergeCatalogs(loadBuiltinDefinitions(), system, own) : undefined;
  }

  /** One namespace's catalog: the kept view while unchanged, else queried — or, without `query`, undefined. */
  private async part(namespace: string, query: boolean): Promise<CatalogView | undefined> {
    const version = await this.version(namespace);
    // No catalog workflow yet means nothing was applied to that namespace.
    if (!version) {
      this.kept.delete(namespace);
      return emptyCatalog();
    }
    const kept = this.kept.get(namespace);
    if (kept && kept.runId === version.runId && kept.historyLength === version.historyLength)
      return kept.view;
    if (!query) return undefined;
    const handle = this.temporal.workflow.getHandle(catalogWorkflowId(namespace));
    // Frozen: every publish until the next change shares it, so nothing may edit it for the next.
    try {
      const view = deepFreeze(await queryWithRetry(handle, catalogQuery, []));
      this.kept.set(namespace, { ...version, view });
      return view;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      this.kept.delete(namespace);
      return emptyCatalog();
    }
  }

  /**
   * The catalog workflow's current run and history length, or undefined when it never ran. A
   * describe through the service itself: the handle's describe also decodes the memo and search
   * attributes, which nobody reads here, on every publish.
   */
  private async version(namespace: string): Promise<{ runId: string; historyLength: number } | undefined> {
    try {
      const { workflowExecutionInfo: info } = await this.temporal.workflowService.describeWorkflowExecution({
        namespace: this.temporal.options.namespace,
        execution: { workflowId: catalogWorkflowId(namespace) },
      });
      return { runId: info?.execution?.runId ?? '', historyLength: Number(info?.historyLength ?? 0) };
    } catch (err) {
      if (grpcCode(err) === GrpcStatus.NOT_FOUND) return undefined;
      throw err;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
