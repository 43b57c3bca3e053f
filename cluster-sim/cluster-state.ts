import { clone, isPlainObject, type JsonObject } from './json.js';
import { apiVersionOf, findByKind, type ResourceType } from './resource-types.js';

/**
 * The stored state of one simulated cluster: objects, the resourceVersion counter and a window of
 * recent events that watches replay from. Everything a client sees goes through here, so every
 * write gets a new resourceVersion and a watch event, in one order.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  readonly resourceVersion: number;
  readonly type: WatchEventType;
  readonly resource: ResourceType;
  readonly object: JsonObject;
  /** The object before this write, so a watch can tell when an object stops matching a selector. */
  readonly previous: JsonObject | undefined;
}

/** How many events a watch can replay; older resourceVersions get 410 Gone, as after compaction. */
const EVENT_WINDOW = 10_000;

export interface ClusterSnapshot {
  readonly resourceVersion: number;
  readonly nextClusterIP: number;
  readonly objects: readonly JsonObject[];
}

function metadataOf(object: JsonObject): JsonObject {
  return isPlainObject(object.metadata) ? object.metadata : {};
}

export class ClusterState {
  private revision = 0;
  private nextClusterIP = 10;
  private readonly objects = new Map<string, JsonObject>();
  private readonly events: StoredEvent[] = [];
  private readonly subscribers = new Set<(event: StoredEvent) => void>();
  private readonly changeListeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  get resourceVersion(): number {
    return this.revision;
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
  }

  /** The stored object itself: callers clone before changing it. */
  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.objects.get(this.key(type, namespace, name));
  }

  /** Objects of one type, in etcd key order (namespace, then name). */
  list(type: ResourceType, namespace?: string): JsonObject[] {
    const prefix = `${type.group}/${type.plural}/${type.namespaced && namespace !== undefined ? `${namespace}/` : ''}`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => object);
  }

  all(): JsonObject[] {
    return [...this.objects.values()];
  }

  /** Stores a new version of an object under a fresh resourceVersion and emits its watch event. */
  put(type: ResourceType, object: JsonObject): JsonObject {
    const metadata = metadataOf(object);
    const key = this.key(type, metadata.namespace as string | undefined, String(metadata.name));
    const previous = this.objects.get(key);
    const stored = clone(object);
    stored.apiVersion = apiVersionOf(type);
    stored.kind = type.kind;
    this.revision++;
    metadataOf(stored).resourceVersion = String(this.revision);
    this.objects.set(key, stored);
    this.emit({
      resourceVersion: this.revision,
      type: previous ? 'MODIFIED' : 'ADDED',
      resource: type,
      object: stored,
      previous,
    });
    return stored;
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    const key = this.key(type, namespace, name);
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.objects.delete(key);
    this.revision++;
    const deleted = clone(previous);
    metadataOf(deleted).resourceVersion = String(this.revision);
    this.emit({ resourceVersion: this.revision, type: 'DELETED', resource: type, object: deleted, previous });
    return deleted;
  }

  private emit(event: StoredEvent): void {
    this.events.push(event);
    if (this.events.length > EVENT_WINDOW) this.events.splice(0, this.events.length - EVENT_WINDOW);
    for (const subscriber of this.subscribers) subscriber(event);
    for (const listener of this.changeListeners) listener();
  }

  /**
   * Events after `resourceVersion`, or `expired` when the window no longer reaches back that far
   * (the client must list again, as after a 410 from a real API server).
   */
  eventsSince(resourceVersion: number): StoredEvent[] | 'expired' {
    const oldest = this.events[0];
    if (oldest && resourceVersion < oldest.resourceVersion - 1) return 'expired';
    if (!oldest && resourceVersion < this.revision) return 'expired';
    return this.events.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(subscriber: (event: StoredEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Service cluster IPs come from 10.96.0.0/12, like kubeadm's default service CIDR. */
  allocateClusterIP(): string {
    const n = this.nextClusterIP++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  snapshot(): ClusterSnapshot {
    return {
      resourceVersion: this.revision,
      nextClusterIP: this.nextClusterIP,
      objects: this.all().map(clone),
    };
  }

  /** Loads persisted objects without emitting events: a restarted API server starts a new watch window. */
  restore(snapshot: ClusterSnapshot): void {
    this.objects.clear();
    for (const object of snapshot.objects) {
      const type = findByKind(String(object.apiVersion), String(object.kind));
      if (!type) continue;
      const metadata = metadataOf(object);
      this.objects.set(
        this.key(type, metadata.namespace as string | undefined, String(metadata.name)),
        clone(object),
      );
    }
    this.revision = Math.max(snapshot.resourceVersion, this.revision);
    this.nextClusterIP = Math.max(snapshot.nextClusterIP, this.nextClusterIP);
  }
}
