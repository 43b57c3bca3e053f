import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiException,
  KubernetesObjectApi,
  type KubeConfig,
  type HttpLibrary,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
  type V1APIResource,
} from '@kubernetes/client-node';
import { KeepAliveHttpLibrary } from './keep-alive.js';

/**
 * `KubernetesObjectApi` with three changes Revela needs:
 * - responses are returned as the server's JSON, not deserialized into typed model classes (which
 *   turn timestamps into `Date`s and drop fields the model does not know), so what Revela reads,
 *   hashes and shows is exactly what the cluster stored;
 * - every request carries the AbortSignal of the call that made it (cancellation and timeouts);
 * - resource discovery is exposed, so an unknown kind is reported as such before any request;
 * - requests share kept-alive connections (`keep-alive.ts`) instead of a new TLS handshake each.
 */

/** The signal of the current call; the library's promise chain runs inside its async context. */
const currentSignal = new AsyncLocalStorage<AbortSignal>();

export class RawObjectApi extends KubernetesObjectApi {
  static create(kc: KubeConfig): RawObjectApi {
    const api = kc.makeApiClient(RawObjectApi);
    api.setDefaultNamespace(kc);
    // The configuration was made for this instance alone; its fields are read-only in the types.
    const configuration = api.configuration as { httpApi: HttpLibrary };
    configuration.httpApi = new KeepAliveHttpLibrary(configuration.httpApi);
    return api;
  }

  /** Runs one library call with `signal` attached to its HTTP requests. */
  static withSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    return currentSignal.run(signal, fn);
  }

  /**
   * The API resource (plural, namespaced) of a kind, from discovery (cached per instance);
   * undefined when the server does not serve the kind or its group-version at all.
   */
  async resolve(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    try {
      return await this.resource(apiVersion, kind);
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  protected override requestPromise<T extends KubernetesObject>(
    requestContext: RequestContext,
    type?: string,
    options?: Parameters<KubernetesObjectApi['read']>[4],
  ): Promise<T> {
    const signal = currentSignal.getStore();
    if (signal) requestContext.setSignal(signal);
    return super.requestPromise<T>(requestContext, type, options);
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    // Discovery documents must still go through the library's model: it reads `resources[].name`.
    if (type === 'V1APIResourceList') return super.processResponse<T>(response, type);
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const text = await response.body.text();
      return (text.trim() === '' ? {} : JSON.parse(text)) as T;
    }
    throw new ApiException(
      response.httpStatusCode,
      'Unsuccessful HTTP Request',
      await response.getBodyAsAny(),
      response.headers,
    );
  }
}
