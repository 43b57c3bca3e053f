import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { formatLabelSelector } from '../kube/label-selector.js';
import { admit } from './admission.js';
import type { ClusterState, StoredEvent } from './cluster-state.js';
import type { FaultInjector, Verb } from './faults.js';
import { clone, deepEqual, isPlainObject, str, type JsonObject } from './json.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { jsonMergePatch, strategicMergePatch } from './merge-patch.js';
import { findDocument, groupVersionDocument, openApiRoot } from './openapi.js';
import {
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionOf,
  apiVersionsDocument,
  findByKind,
  findByPlural,
  hasGroupVersion,
  type ResourceType,
} from './resource-types.js';
import type { RolloutController } from './rollout-controller.js';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type Requirement,
} from './selectors.js';
import { alreadyExists, badRequest, notFound, StatusError } from './status-error.js';
import { toTable, type IncludeObject } from './table.js';
import type { TimerSet } from './timer-set.js';

/**
 * The HTTP side of one simulated cluster: discovery, OpenAPI, CRUD with server-side apply, merge
 * and strategic patches, selectors, watches and Table output, answering errors as `Status`
 * objects. One handler per cluster; state, controller and faults are injected.
 */

export interface ApiServerDeps {
  readonly state: ClusterState;
  readonly controller: RolloutController;
  readonly faults: FaultInjector;
  readonly timers: TimerSet;
  readonly createNamespacesOnApply: boolean;
  /** The cluster's own URL, for `/api`'s serverAddressByClientCIDRs. */
  readonly address: () => string;
}

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-revela-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Objects larger than etcd's default request limit are refused, as upstream. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 5_000;
/** Upstream closes watches after 30–60 minutes so clients re-list; the simulator uses the lower bound. */
const DEFAULT_WATCH_TIMEOUT_SECONDS = 1_800;

const NAMESPACE = findByKind('v1', 'Namespace') as ResourceType;

interface Target {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** Only `scale` is served. */
  readonly subresource?: 'scale';
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function obj(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: StatusError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  send(res, error.code, error.toStatus(), headers);
}

const NOT_FOUND_PATH = () =>
  new StatusError(404, 'the server could not find the requested resource', { details: {} });

/**
 * Request bodies must be JSON (or YAML for apply). Protobuf and CBOR are answered with 415, which
 * client-go takes as its cue to retry the request as JSON.
 */
function checkBodyType(req: IncomingMessage, accepted: readonly string[]): void {
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
  if (!accepted.includes(contentType)) {
    // kubectl ≥ 1.33 sends protobuf for imperative commands (`create deployment`, `scale`); say what works instead.
    const hint = contentType.includes('protobuf')
      ? ' (the Revela simulator does not decode protobuf: use `kubectl apply`, which sends JSON)'
      : '';
    throw new StatusError(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${hint}`,
      {
        reason: 'UnsupportedMediaType',
      },
    );
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new StatusError(413, 'Request entity too large: limit is 3145728', {
        reason: 'RequestEntityTooLarge',
      });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, yaml: boolean): JsonObject {
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  if (!isPlainObject(value)) throw badRequest('the request body must be an object');
  return value;
}

/** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io, …` → which Table version, if any. */
function wantsTable(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.accept ?? '').split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return `meta.k8s.io/${v}`;
    }
  }
  return undefined;
}

function includeObject(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** Strips `apiVersion` and `kind` from list items, as the API server's typed lists do. */
function listItem(object: JsonObject): JsonObject {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

/** Everything outside metadata and status: a change here is a new generation. */
function specPart(object: JsonObject | undefined): JsonObject {
  if (!object) return {};
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

/** The field manager of a write that names none: the client's name from its User-Agent, as upstream. */
function fieldManagerOf(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] ?? 'unknown';
}

function parseTarget(segments: readonly string[], group: string, version: string): Target {
  const resolve = (plural: string) => {
    const type = findByPlural(group, version, plural);
    if (!type) throw NOT_FOUND_PATH();
    return type;
  };
  const [first, second, third, fourth, ...rest] = segments;
  if (first === 'namespaces' && third !== undefined && second !== undefined) {
    const type = resolve(third);
    if (!type.namespaced) throw NOT_FOUND_PATH();
    if (rest.length === 1 && rest[0] === 'scale' && type.scalable && fourth !== undefined) {
      return { type, namespace: second, name: fourth, subresource: 'scale' };
    }
    if (rest.length > 0) throw NOT_FOUND_PATH();
    return { type, namespace: second, name: fourth };
  }
  if (first === undefined) throw NOT_FOUND_PATH();
  if (third !== undefined) throw NOT_FOUND_PATH();
  const type = resolve(first);
  if (type.namespaced && second !== undefined) throw NOT_FOUND_PATH();
  return { type, namespace: undefined, name: second };
}

function verbOf(method: string, target: Target, query: URLSearchParams): Verb {
  switch (method) {
    case 'GET':
      if (target.name !== undefined) return 'get';
      return query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new StatusError(405, 'the server does not allow this method on the requested resource', {
        reason: 'MethodNotAllowed',
      });
  }
}

export class ApiServer {
  private readonly watches = new Set<ServerResponse>();

  constructor(private readonly deps: ApiServerDeps) {}

  /** Ends every open watch (at stop, or when a partition drops the cluster). */
  closeWatches(): void {
    for (const res of this.watches) res.end();
    this.watches.clear();
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      const error =
        err instanceof StatusError
          ? err
          : new StatusError(500, `internal error: ${(err as Error).message ?? String(err)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      sendError(res, error);
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const segments = path
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);

    if (method === 'GET') {
      const discovery = this.discovery(path, segments);
      if (discovery !== undefined) {
        send(res, 200, discovery);
        return;
      }
    }

    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      [group, version, rest] = ['', 'v1', segments.slice(2)];
    } else if (segments[0] === 'apis' && segments[1] !== undefined && segments[2] !== undefined) {
      [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
      if (!hasGroupVersion(group, version)) throw NOT_FOUND_PATH();
    } else {
      throw NOT_FOUND_PATH();
    }
    const target = parseTarget(rest, group, version);
    const query = url.searchParams;
    const verb = verbOf(method, target, query);

    const decision = this.deps.faults.decide(verb);
    if (decision.latencyMs > 0)
      await new Promise<void>((resolve) => this.deps.timers.set(resolve, decision.latencyMs));
    if (decision.fail) {
      const retryAfter = decision.fail.retryAfterSeconds;
      const details = retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : undefined;
      throw new StatusError(
        decision.fail.status,
        `injected fault: ${verb} ${target.type.plural} failed with ${decision.fail.status}`,
        {
          ...(details ? { details } : {}),
          ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
        },
      );
    }

    if (target.subresource === 'scale') return this.scale(req, res, this.named(target), verb, query);
    switch (verb) {
      case 'get':
        return this.get(req, res, target, query);
      case 'list':
        return this.list(req, res, target, query);
      case 'watch':
        return this.watch(req, res, target, query);
      case 'create':
        if (target.name !== undefined)
          throw new StatusError(405, 'POST is not allowed on a named resource', {
            reason: 'MethodNotAllowed',
          });
        return this.create(req, res, target, query);
      case 'update':
        return this.update(req, res, this.named(target), query);
      case 'patch':
        return this.patch(req, res, this.named(target), query);
      case 'delete':
        return target.name === undefined
          ? this.deleteCollection(res, target, query)
          : this.delete(req, res, this.named(target), query);
    }
  }

  private named(target: Target): Target & { name: string } {
    if (target.name === undefined)
      throw new StatusError(405, 'the server does not allow this method on the requested resource', {
        reason: 'MethodNotAllowed',
      });
    return target as Target & { name: string };
  }

  private discovery(path: string, segments: readonly string[]): unknown {
    if (path === '/version') return SERVER_VERSION;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return 'ok';
    if (path === '/api') return apiVersionsDocument(this.deps.address().replace(/^https?:\/\//, ''));
    if (path === '/api/v1') return apiResourceListDocument('', 'v1');
    if (path === '/apis') return apiGroupListDocument();
    if (
      segments[0] === 'apis' &&
      segments.length === 2 &&
      segments[1] !== undefined &&
      hasGroupVersion(segments[1], 'v1')
    ) {
      return apiGroupDocument(segments[1]);
    }
    if (
      segments[0] === 'apis' &&
      segments.length === 3 &&
      segments[1] !== undefined &&
      segments[2] !== undefined &&
      hasGroupVersion(segments[1], segments[2])
    ) {
      return apiResourceListDocument(segments[1], segments[2]);
    }
    if (path === '/openapi/v3') return openApiRoot();
    if (path.startsWith('/openapi/v3/')) {
      const gv = findDocument(path.slice('/openapi/v3/'.length));
      if (gv) return groupVersionDocument(gv.group, gv.version);
    }
    return undefined;
  }

  // ---- reads -------------------------------------------------------------------------------

  private present(
    req: IncomingMessage,
    query: URLSearchParams,
    type: ResourceType,
    objects: JsonObject[],
    list: boolean,
    continueToken?: string,
  ): unknown {
    const table = wantsTable(req);
    const resourceVersion = String(this.deps.state.resourceVersion);
    if (table) {
      return toTable(type, objects, {
        resourceVersion,
        include: includeObject(query),
        tableApiVersion: table,
        ...(continueToken ? { continueToken } : {}),
      });
    }
    if (!list) return objects[0];
    const metadata: JsonObject = { resourceVersion };
    if (continueToken) metadata.continue = continueToken;
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata,
      items: objects.map(listItem),
    };
  }

  private get(req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void {
    const name = target.name as string;
    const object = this.deps.state.get(target.type, target.namespace, name);
    if (!object) throw notFound(target.type.plural, target.type.group, name);
    send(res, 200, this.present(req, query, target.type, [object], false));
  }

  private selectors(query: URLSearchParams): { labels: Requirement[]; fields: Requirement[] } {
    return {
      labels: parseLabelSelector(query.get('labelSelector')),
      fields: parseFieldSelector(query.get('fieldSelector')),
    };
  }

  private matching(target: Target, query: URLSearchParams): JsonObject[] {
    const { labels, fields } = this.selectors(query);
    return this.deps.state
      .list(target.type, target.namespace)
      .filter(
        (o) =>
          matchesLabels(labels, obj(obj(o.metadata).labels) as Record<string, string>) &&
          matchesFields(fields, o),
      );
  }

  private list(req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void {
    let objects = this.matching(target, query);
    // Continue tokens carry the offset of the next page; a real server encodes a key, same idea.
    const token = query.get('continue');
    let start = 0;
    if (token) {
      const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(decoded) || decoded < 0)
        throw new StatusError(400, 'continue key is not valid: malformed token');
      start = decoded;
    }
    const limit = Number(query.get('limit') ?? '0');
    let next: string | undefined;
    if (limit > 0 && start + limit < objects.length)
      next = Buffer.from(String(start + limit)).toString('base64url');
    objects = objects.slice(start, limit > 0 ? start + limit : undefined);
    send(res, 200, this.present(req, query, target.type, objects, true, next));
  }

  private watch(req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void {
    const { state, timers } = this.deps;
    const { labels, fields } = this.selectors(query);
    const type = target.type;
    const table = wantsTable(req);
    const matches = (o: JsonObject | undefined): boolean =>
      o !== undefined &&
      (target.namespace === undefined || obj(o.metadata).namespace === target.namespace) &&
      matchesLabels(labels, obj(obj(o.metadata).labels) as Record<string, string>) &&
      matchesFields(fields, o);
    const rvParam = query.get('resourceVersion');
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    if (rvParam && rvParam !== '0' && !/^\d+$/.test(rvParam))
      throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be an integer`);

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    // Without flushing, Node holds the headers until the first event and clients time out waiting.
    res.flushHeaders();
    const write = (eventType: string, object: JsonObject): void => {
      const presented = table
        ? toTable(type, [object], {
            resourceVersion: String(obj(object.metadata).resourceVersion),
            include: 'Object',
            tableApiVersion: table,
          })
        : object;
      res.write(`${JSON.stringify({ type: eventType, object: presented })}\n`);
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      const metadata: JsonObject = { resourceVersion: String(state.resourceVersion) };
      if (annotations) metadata.annotations = annotations;
      res.write(
        `${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion: apiVersionOf(type), metadata } })}\n`,
      );
    };
    const deliver = (event: StoredEvent): void => {
      if (event.resource !== type) return;
      const now = matches(event.object);
      const before = matches(event.previous);
      if (event.type === 'DELETED') {
        if (before) write('DELETED', event.object);
      } else if (now && before) {
        write('MODIFIED', event.object);
      } else if (now) {
        write('ADDED', event.object);
      } else if (before) {
        // The object no longer matches the selector: to this watch it is gone.
        write('DELETED', event.object);
      }
    };

    if (!rvParam || rvParam === '0' || sendInitialEvents) {
      for (const o of state.list(type, target.namespace)) if (matches(o)) write('ADDED', o);
      if (sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const events = state.eventsSince(Number(rvParam));
      if (events === 'expired') {
        const status = new StatusError(
          410,
          `too old resource version: ${rvParam} (${state.resourceVersion})`,
          { reason: 'Expired' },
        ).toStatus();
        res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
        return;
      }
      for (const event of events) deliver(event);
    }

    const unsubscribe = state.subscribe(deliver);
    this.watches.add(res);
    const bookmarks =
      query.get('allowWatchBookmarks') === 'true'
        ? setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS)
        : undefined;
    bookmarks?.unref();
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? DEFAULT_WATCH_TIMEOUT_SECONDS);
    const timeout = timers.set(() => res.end(), timeoutSeconds * 1000);
    res.on('close', () => {
      unsubscribe();
      if (bookmarks) clearInterval(bookmarks);
      timers.clear(timeout);
      this.watches.delete(res);
    });
  }

  // ---- writes ------------------------------------------------------------------------------

  private ensureNamespace(namespace: string | undefined, type: ResourceType, dryRun: boolean): void {
    if (!type.namespaced || namespace === undefined) return;
    if (this.deps.state.get(NAMESPACE, undefined, namespace)) return;
    if (!this.deps.createNamespacesOnApply) {
      throw new StatusError(404, `namespaces "${namespace}" not found`, {
        details: { name: namespace, kind: 'namespaces' },
      });
    }
    if (dryRun) return;
    const ns: JsonObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
    this.finishCreate(NAMESPACE, ns);
    this.deps.state.put(NAMESPACE, ns);
  }

  /** Body identity checks shared by create, update and apply. */
  private checkIdentity(body: JsonObject, target: Target): void {
    const type = target.type;
    if (body.kind === undefined || body.kind === '')
      throw badRequest("Object 'Kind' is missing in the request body");
    if (body.kind !== type.kind)
      throw badRequest(
        `the kind in the request body (${str(body.kind)}) does not match the kind of the resource (${type.kind})`,
      );
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(type)) {
      throw badRequest(
        `the API version in the data (${str(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    const metadata = obj(body.metadata);
    body.metadata = metadata;
    if (target.name !== undefined && metadata.name !== undefined && metadata.name !== target.name) {
      throw badRequest(
        `the name of the object (${str(metadata.name)}) does not match the name on the URL (${target.name})`,
      );
    }
    if (target.name !== undefined) metadata.name = target.name;
    if (type.namespaced) {
      if (
        metadata.namespace !== undefined &&
        metadata.namespace !== '' &&
        metadata.namespace !== target.namespace
      ) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = target.namespace;
    } else {
      delete metadata.namespace;
    }
  }

  /** Server-owned fields of a new object. */
  private finishCreate(type: ResourceType, object: JsonObject): void {
    const metadata = obj(object.metadata);
    object.metadata = metadata;
    if (metadata.name === undefined && typeof metadata.generateName === 'string') {
      metadata.name = `${metadata.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    }
    metadata.uid = randomUUID();
    metadata.creationTimestamp = nowSeconds();
    metadata.generation = 1;
    delete metadata.resourceVersion;
    object.status = {};
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    admit(type, object, undefined, { allocateClusterIP: () => this.deps.state.allocateClusterIP() });
  }

  /** Keeps what a client may not change on update: identity, creation time, status. */
  private finishUpdate(type: ResourceType, previous: JsonObject, next: JsonObject): void {
    const before = obj(previous.metadata);
    const metadata = obj(next.metadata);
    next.metadata = metadata;
    for (const key of ['uid', 'creationTimestamp', 'name', 'namespace'])
      if (before[key] !== undefined) metadata[key] = before[key];
    metadata.generation = before.generation;
    next.status = clone(previous.status);
    next.apiVersion = apiVersionOf(type);
    next.kind = type.kind;
    admit(type, next, previous, { allocateClusterIP: () => this.deps.state.allocateClusterIP() });
    if (!deepEqual(specPart(previous), specPart(next)))
      metadata.generation = Number(before.generation ?? 0) + 1;
  }

  /** Stores a client write (or not, for dry runs) after the controllers have seen it. */
  private commit(
    type: ResourceType,
    previous: JsonObject | undefined,
    next: JsonObject,
    dryRun: boolean,
  ): JsonObject {
    if (previous) {
      const { resourceVersion: _r, ...a } = obj(previous.metadata);
      const { resourceVersion: _s, ...b } = obj(next.metadata);
      // A write that changes nothing is not a write: same resourceVersion, no watch event.
      if (deepEqual({ ...previous, metadata: a }, { ...next, metadata: b })) return previous;
    }
    this.deps.controller.admitted(type, previous, next);
    if (dryRun) {
      obj(next.metadata).resourceVersion = previous ? obj(previous.metadata).resourceVersion : undefined;
      return next;
    }
    return this.deps.state.put(type, next);
  }

  private isDryRun(query: URLSearchParams): boolean {
    const value = query.get('dryRun');
    if (value === null) return false;
    if (value !== 'All') throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
    return true;
  }

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): Promise<void> {
    const dryRun = this.isDryRun(query);
    checkBodyType(req, ['application/json', 'application/yaml']);
    const body = parseBody(await readBody(req), (req.headers['content-type'] ?? '').includes('yaml'));
    this.checkIdentity(body, target);
    const type = target.type;
    const metadata = obj(body.metadata);
    this.ensureNamespace(target.namespace, type, dryRun);
    const name = typeof metadata.name === 'string' ? metadata.name : undefined;
    if (name !== undefined && this.deps.state.get(type, target.namespace, name))
      throw alreadyExists(type.plural, type.group, name);
    const object = clone(body);
    recordUpdate(undefined, object, fieldManagerOf(req, query), apiVersionOf(type), nowSeconds());
    this.finishCreate(type, object);
    send(res, 201, this.commit(type, undefined, object, dryRun));
  }

  private existing(target: Target & { name: string }): JsonObject {
    const object = this.deps.state.get(target.type, target.namespace, target.name);
    if (!object) throw notFound(target.type.plural, target.type.group, target.name);
    return object;
  }

  private checkPrecondition(
    previous: JsonObject,
    requested: unknown,
    target: Target & { name: string },
  ): void {
    if (requested === undefined || requested === null || requested === '') return;
    if (str(requested) !== str(obj(previous.metadata).resourceVersion)) {
      const qualified = target.type.group ? `${target.type.plural}.${target.type.group}` : target.type.plural;
      throw new StatusError(
        409,
        `Operation cannot be fulfilled on ${qualified} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`,
        {
          reason: 'Conflict',
          details: { name: target.name, group: target.type.group, kind: target.type.plural },
        },
      );
    }
  }

  private async update(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target & { name: string },
    query: URLSearchParams,
  ): Promise<void> {
    const dryRun = this.isDryRun(query);
    checkBodyType(req, ['application/json', 'application/yaml']);
    const body = parseBody(await readBody(req), (req.headers['content-type'] ?? '').includes('yaml'));
    this.checkIdentity(body, target);
    const previous = this.existing(target);
    this.checkPrecondition(previous, obj(body.metadata).resourceVersion, target);
    const next = clone(body);
    // managedFields are the server's: a client cannot rewrite another manager's ownership by PUT.
    obj(next.metadata).managedFields = clone(obj(previous.metadata).managedFields);
    recordUpdate(previous, next, fieldManagerOf(req, query), apiVersionOf(target.type), nowSeconds());
    this.finishUpdate(target.type, previous, next);
    send(res, 200, this.commit(target.type, previous, next, dryRun));
  }

  private async patch(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target & { name: string },
    query: URLSearchParams,
  ): Promise<void> {
    const dryRun = this.isDryRun(query);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const type = target.type;
    const time = nowSeconds();
    if (contentType === 'application/apply-patch+yaml') {
      const manager = query.get('fieldManager');
      if (!manager) {
        throw badRequest(
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      }
      const force = query.get('force') === 'true';
      const body = parseBody(await readBody(req), true);
      this.checkIdentity(body, target);
      const previous = this.deps.state.get(type, target.namespace, target.name);
      if (!previous) this.ensureNamespace(target.namespace, type, dryRun);
      const merged = serverSideApply({
        live: previous,
        applied: body,
        manager,
        force,
        apiVersion: apiVersionOf(type),
        time,
      });
      if (previous) {
        this.finishUpdate(type, previous, merged);
        send(res, 200, this.commit(type, previous, merged, dryRun));
      } else {
        this.finishCreate(type, merged);
        send(res, 201, this.commit(type, undefined, merged, dryRun));
      }
      return;
    }
    if (
      contentType !== 'application/merge-patch+json' &&
      contentType !== 'application/strategic-merge-patch+json'
    ) {
      throw new StatusError(
        415,
        `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`,
        {
          reason: 'UnsupportedMediaType',
        },
      );
    }
    const patch = parseBody(await readBody(req), false);
    const previous = this.existing(target);
    this.checkPrecondition(previous, obj(patch.metadata).resourceVersion, target);
    const patched = (
      contentType === 'application/merge-patch+json'
        ? jsonMergePatch(previous, patch)
        : strategicMergePatch(previous, patch)
    ) as JsonObject;
    const next = clone(patched);
    obj(next.metadata).managedFields = clone(obj(previous.metadata).managedFields);
    recordUpdate(previous, next, fieldManagerOf(req, query), apiVersionOf(type), time);
    this.finishUpdate(type, previous, next);
    send(res, 200, this.commit(type, previous, next, dryRun));
  }

  /** The autoscaling/v1 Scale view of a workload; writes to it change `spec.replicas`. */
  private async scale(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target & { name: string },
    verb: Verb,
    query: URLSearchParams,
  ): Promise<void> {
    const previous = this.existing(target);
    const view = (o: JsonObject): JsonObject => {
      const metadata = obj(o.metadata);
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: metadata.name,
          namespace: metadata.namespace,
          uid: metadata.uid,
          resourceVersion: metadata.resourceVersion,
          creationTimestamp: metadata.creationTimestamp,
        },
        spec: { replicas: obj(o.spec).replicas },
        status: {
          replicas: obj(o.status).replicas ?? 0,
          selector: formatLabelSelector(obj(o.spec).selector),
        },
      };
    };
    if (verb === 'get') {
      send(res, 200, view(previous));
      return;
    }
    if (verb !== 'patch' && verb !== 'update')
      throw new StatusError(405, 'the server does not allow this method on the requested resource', {
        reason: 'MethodNotAllowed',
      });
    const dryRun = this.isDryRun(query);
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
    const body = parseBody(await readBody(req), contentType.includes('yaml'));
    let scale: JsonObject;
    if (verb === 'update') {
      checkBodyType(req, ['application/json']);
      scale = body;
    } else if (
      contentType === 'application/merge-patch+json' ||
      contentType === 'application/strategic-merge-patch+json'
    ) {
      scale = jsonMergePatch(view(previous), body) as JsonObject;
    } else {
      throw new StatusError(
        415,
        `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
        { reason: 'UnsupportedMediaType' },
      );
    }
    this.checkPrecondition(previous, obj(scale.metadata).resourceVersion, target);
    const replicas = obj(scale.spec).replicas;
    const next = clone(previous);
    obj(next.spec).replicas = replicas;
    recordUpdate(previous, next, fieldManagerOf(req, query), apiVersionOf(target.type), nowSeconds());
    this.finishUpdate(target.type, previous, next);
    send(res, 200, view(this.commit(target.type, previous, next, dryRun)));
  }

  private async deleteOptions(
    req: IncomingMessage,
    query: URLSearchParams,
  ): Promise<{ propagationPolicy: string; preconditions: JsonObject }> {
    const text = await readBody(req);
    const body = text.trim() ? parseBody(text, false) : {};
    const propagationPolicy =
      query.get('propagationPolicy') ??
      (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : 'Background');
    if (!['Foreground', 'Background', 'Orphan'].includes(propagationPolicy)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    return { propagationPolicy, preconditions: obj(body.preconditions) };
  }

  private remove(type: ResourceType, object: JsonObject): void {
    const metadata = obj(object.metadata);
    if (type === NAMESPACE) {
      // Deleting a namespace deletes everything in it, as the namespace controller does.
      for (const contained of this.deps.state.all()) {
        const containedType = findByKind(String(contained.apiVersion), String(contained.kind));
        if (containedType?.namespaced && obj(contained.metadata).namespace === metadata.name)
          this.remove(containedType, contained);
      }
    }
    this.deps.controller.deleted(object);
    this.deps.state.remove(type, metadata.namespace as string | undefined, String(metadata.name));
  }

  private async delete(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target & { name: string },
    query: URLSearchParams,
  ): Promise<void> {
    const dryRun = this.isDryRun(query);
    const options = await this.deleteOptions(req, query);
    const previous = this.existing(target);
    this.checkPrecondition(previous, options.preconditions.resourceVersion, target);
    if (options.preconditions.uid !== undefined && options.preconditions.uid !== obj(previous.metadata).uid) {
      throw new StatusError(
        409,
        `Precondition failed: UID in precondition: ${str(options.preconditions.uid)}, UID in object meta: ${str(obj(previous.metadata).uid)}`,
        {
          reason: 'Conflict',
        },
      );
    }
    if (!dryRun) this.remove(target.type, previous);
    send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: target.name,
        group: target.type.group,
        kind: target.type.plural,
        uid: obj(previous.metadata).uid,
      },
    });
  }

  private deleteCollection(res: ServerResponse, target: Target, query: URLSearchParams): void {
    const dryRun = this.isDryRun(query);
    const objects = this.matching(target, query);
    if (!dryRun) for (const o of objects) this.remove(target.type, o);
    send(res, 200, {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata: { resourceVersion: String(this.deps.state.resourceVersion) },
      items: objects.map(listItem),
    });
  }
}
