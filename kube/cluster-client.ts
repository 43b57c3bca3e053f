import {
  ApiException,
  PatchStrategy,
  Watch,
  type KubeConfig,
  type V1APIResource,
} from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../model/labels.js';
import { objectLabel, type KubeObject, type ObjectRef } from '../model/kube-object.js';
import { classifyKubeError, KubeApiError } from './errors.js';
import { RawObjectApi } from './object-api.js';

export interface ClusterClientOptions {
  /** Upper bound of one request (watches excepted); a request that takes longer fails as retryable `ETIMEDOUT`. Shorter than the engine's heartbeat timeout (docs/fencing.md). @default 15000 */
  readonly requestTimeoutMs?: number;
}

export interface ApplyOptions {
  /** Take over fields other managers own instead of failing with a 409 conflict. @default false */
  readonly force?: boolean;
  /** Let the server validate and default without storing (`dryRun=All`). @default false */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
  /** Server-side apply field manager. @default FIELD_MANAGER ('revela') */
  readonly fieldManager?: string;
}

export interface ListQuery {
  readonly apiVersion: string;
  readonly kind: string;
  /** @default all namespaces */
  readonly namespace?: string;
  /** `app=podinfo,tier!=db` or `{app: 'podinfo'}` (every pair must match). */
  readonly labelSelector?: string | Readonly<Record<string, string>>;
  /** `metadata.name=podinfo`. */
  readonly fieldSelector?: string;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions {
  /** @default the server's default (Background for most kinds) */
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /**
   * Delete only this very object (`deleteOptions.preconditions.uid`): an object of the same name
   * created since it was read is left alone, and `delete` answers false.
   */
  readonly uid?: string;
  readonly signal?: AbortSignal;
}

export interface MergePatchOptions {
  /** Field manager recorded for the change. */
  readonly fieldManager: string;
  readonly signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The object; for ERROR a `Status` (e.g. 410 Expired: list again and watch from the new resourceVersion). */
  readonly object: KubeObject;
}

export interface WatchQuery extends ListQuery {
  /** Start after this resourceVersion (from a list); without it, current objects arrive first as ADDED. */
  readonly resourceVersion?: string;
  /** Ask for BOOKMARK events, which carry the latest resourceVersion without a change. @default false */
  readonly allowBookmarks?: boolean;
  /** Let the server end the watch after this long. */
  readonly timeoutSeconds?: number;
}

export interface KubeWatch {
  /** Ends the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when the watch ends (stopped, or closed by the server); rejects with a KubeApiError when it fails. */
  readonly done: Promise<void>;
}

/**
 * Shorter than the engine's heartbeat timeout (20 s), itself shorter than the supersede wait
 * (30 s): a request of a lost attempt ends before its retry starts (docs/fencing.md).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** Page size for lists, so a large namespace does not arrive as one huge response. */
const LIST_PAGE_SIZE = 500;

function selectorText(selector: ListQuery['labelSelector']): string | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector === 'string') return selector || undefined;
  const pairs = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join(',') : undefined;
}

/** True when a 404 says the namespace is missing, not the object (the Status names `namespaces`). */
function namespaceMissing(err: unknown, ref: ObjectRef): boolean {
  if (!(err instanceof ApiException) || err.code !== 404 || ref.kind === 'Namespace') return false;
  try {
    const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    const details = (body as { details?: { kind?: unknown } } | undefined)?.details;
    return details?.kind === 'namespaces';
  } catch {
    return false;
  }
}

/**
 * Kubernetes access to one cluster: server-side apply under Revela's field manager, read, list,
 * delete and watch. Every failure is a {@link KubeApiError} that says whether a retry can help.
 */
export class ClusterClient {
  readonly cluster: string;
  /** The API server URL. */
  readonly server: string;
  private readonly api: RawObjectApi;
  private readonly requestTimeoutMs: number;

  constructor(
    cluster: string,
    private readonly kubeConfig: KubeConfig,
    options: ClusterClientOptions = {},
  ) {
    this.cluster = cluster;
    this.server = kubeConfig.getCurrentCluster()?.server ?? '';
    this.api = RawObjectApi.create(kubeConfig);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Runs one call under the caller's signal and the request timeout, classifying any failure. */
  private async call<T>(
    verb: string,
    object: string | undefined,
    signal: AbortSignal | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await RawObjectApi.withSignal(combined, fn);
    } catch (err) {
      let failure = err;
      if (timeout.aborted && !signal?.aborted) {
        failure = Object.assign(new Error(`no answer within ${this.requestTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
          cause: err,
        });
      }
      throw classifyKubeError(failure, {
        cluster: this.cluster,
        verb,
        server: this.server,
        ...(object !== undefined ? { object } : {}),
      });
    }
  }

  /** The API resource of a kind; a kind the cluster does not serve is a permanent error. */
  private async resource(
    apiVersion: string,
    kind: string,
    verb: string,
    object: string,
  ): Promise<V1APIResource> {
    const resource = await this.api.resolve(apiVersion, kind);
    if (!resource) {
      throw new KubeApiError(
        `${this.cluster}: ${verb} ${object}: the server has no resource type "${kind}" in ${apiVersion} (HTTP 404 NotFound)`,
        { cluster: this.cluster, verb, object, retryable: false, status: 404, reason: 'NotFound' },
      );
    }
    return resource;
  }

  /**
   * Server-side apply (`application/apply-patch+yaml`) under field manager `revela`: creates the
   * object or updates the fields Revela owns. Returns the object as the server stored it.
   *
   * @throws KubeApiError permanent on a conflict with another manager (409, the message lists the
   *   fields and their managers), a missing namespace (404), invalid content (422); retryable when
   *   the cluster is unavailable.
   */
  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const label = objectLabel({ kind: object.kind, name: object.metadata.name });
    return this.call('apply', label, options.signal, async () => {
      await this.resource(object.apiVersion, object.kind, 'apply', label);
      // The library fills in a default namespace on the object it is given: give it a copy.
      const body = structuredClone(object);
      // managedFields belong to the server; an apply body that carries them is rejected.
      delete body.metadata.managedFields;
      return await this.api.patch(
        body,
        undefined,
        options.dryRun ? 'All' : undefined,
        options.fieldManager ?? FIELD_MANAGER,
        options.force ?? false,
        PatchStrategy.ServerSideApply,
      );
    });
  }

  /**
   * Reads one object; undefined when it does not exist.
   * @throws KubeApiError permanent when the kind is not served or the namespace does not exist.
   */
  async read(ref: ObjectRef, options: { signal?: AbortSignal } = {}): Promise<KubeObject | undefined> {
    const label = objectLabel(ref);
    return this.call('read', label, options.signal, async () => {
      await this.resource(ref.apiVersion, ref.kind, 'read', label);
      const metadata: { name: string; namespace?: string } = { name: ref.name };
      if (ref.namespace !== undefined) metadata.namespace = ref.namespace;
      try {
        return await this.api.read<KubeObject>({ apiVersion: ref.apiVersion, kind: ref.kind, metadata });
      } catch (err) {
        if (err instanceof ApiException && err.code === 404 && !namespaceMissing(err, ref)) return undefined;
        throw err;
      }
    });
  }

  /** Lists objects of one kind, in one namespace or (without `namespace`) all of them, following pages. */
  async list(query: ListQuery): Promise<KubeObject[]> {
    return this.call('list', query.kind, query.signal, async () => {
      await this.resource(query.apiVersion, query.kind, 'list', query.kind);
      const items: KubeObject[] = [];
      let continueToken: string | undefined;
      do {
        const page = await this.api.list<KubeObject>(
          query.apiVersion,
          query.kind,
          query.namespace,
          undefined,
          undefined,
          undefined,
          query.fieldSelector,
          selectorText(query.labelSelector),
          LIST_PAGE_SIZE,
          continueToken,
        );
        // List items come without apiVersion and kind; callers get complete objects.
        for (const item of page.items ?? [])
          items.push({ ...item, apiVersion: query.apiVersion, kind: query.kind });
        continueToken =
          page.metadata?._continue ?? (page.metadata as { continue?: string } | undefined)?.continue;
      } while (continueToken);
      return items;
    });
  }

  /**
   * Deletes one object; false when it was already gone, or (with `uid`) when the object of that
   * name is another one now.
   */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const label = objectLabel(ref);
    return this.call('delete', label, options.signal, async () => {
      await this.resource(ref.apiVersion, ref.kind, 'delete', label);
      const metadata: { name: string; namespace?: string } = { name: ref.name };
      if (ref.namespace !== undefined) metadata.namespace = ref.namespace;
      try {
        await this.api.delete(
          { apiVersion: ref.apiVersion, kind: ref.kind, metadata },
          undefined,
          undefined,
          undefined,
          undefined,
          options.propagationPolicy,
          options.uid !== undefined ? { preconditions: { uid: options.uid } } : undefined,
        );
        return true;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return false;
        // A delete answers 409 only when its precondition does not hold: someone else's object now.
        if (err instanceof ApiException && err.code === 409 && options.uid !== undefined) return false;
        throw err;
      }
    });
  }

  /**
   * JSON merge patch of one object's metadata (`patch.metadata`; `null` removes a key). With
   * `metadata.resourceVersion` in the patch the server applies it only to that version and answers
   * 409 otherwise, so read-modify-write of an annotation never loses a concurrent change.
   *
   * @throws KubeApiError permanent 409 when the resourceVersion is stale, 404 when the object is gone.
   */
  async mergePatch(
    ref: ObjectRef,
    metadata: Record<string, unknown>,
    options: MergePatchOptions,
  ): Promise<KubeObject> {
    const label = objectLabel(ref);
    return this.call('patch', label, options.signal, async () => {
      await this.resource(ref.apiVersion, ref.kind, 'patch', label);
      const body = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: {
          ...metadata,
          name: ref.name,
          ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}),
        },
      };
      return await this.api.patch(
        body,
        undefined,
        undefined,
        options.fieldManager,
        undefined,
        PatchStrategy.MergePatch,
      );
    });
  }

  /** Makes sure a namespace exists (server-side apply of a bare Namespace, so it is idempotent). */
  async ensureNamespace(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      options.signal ? { signal: options.signal } : {},
    );
  }

  /**
   * Watches objects of one kind. Events arrive in order; when `resourceVersion` is too old the
   * server sends an ERROR event with a 410 Status, after which the caller lists again.
   *
   * @throws KubeApiError when the watch cannot be started.
   */
  async watch(query: WatchQuery, onEvent: (event: WatchEvent) => void): Promise<KubeWatch> {
    const resource = await this.call('watch', query.kind, query.signal, () =>
      this.resource(query.apiVersion, query.kind, 'watch', query.kind),
    );
    const base = query.apiVersion.includes('/') ? `/apis/${query.apiVersion}` : `/api/${query.apiVersion}`;
    const path = `${base}${resource.namespaced && query.namespace ? `/namespaces/${encodeURIComponent(query.namespace)}` : ''}/${resource.name}`;
    const params: Record<string, string | number | boolean | undefined> = {
      labelSelector: selectorText(query.labelSelector),
      fieldSelector: query.fieldSelector,
      resourceVersion: query.resourceVersion,
      allowWatchBookmarks: query.allowBookmarks ? true : undefined,
      timeoutSeconds: query.timeoutSeconds,
    };
    let stopped = false;
    let started = false;
    let startError: KubeApiError | undefined;
    let settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // A caller that only calls stop() must not get an unhandled rejection.
    done.catch(() => undefined);
    const onDone = (err: unknown): void => {
      if (!err || stopped) {
        settle?.resolve();
        return;
      }
      const failure = classifyKubeError(err, {
        cluster: this.cluster,
        verb: 'watch',
        object: query.kind,
        server: this.server,
      });
      if (!started) startError = failure;
      settle?.reject(failure);
    };
    const controller = await new Watch(this.kubeConfig).watch(
      path,
      params,
      (type: string, object: unknown) =>
        onEvent({ type: type as WatchEventType, object: object as KubeObject }),
      onDone,
    );
    started = true;
    // The library reports a failed connection through `done` before it returns: surface it as a failed start.
    if (startError) throw startError;
    const stop = (): void => {
      stopped = true;
      controller.abort();
      settle?.resolve();
    };
    if (query.signal?.aborted) stop();
    query.signal?.addEventListener('abort', stop, { once: true });
    return { stop, done };
  }
}
