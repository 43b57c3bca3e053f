/**
 * The hub cluster as the controller uses it: the Kubernetes API server where users `kubectl
 * apply` Application, Policy, Workflow and definition objects. Reads come from informers; the
 * writes are few and named here — finalizers, `.status`, ApplicationRevision mirrors, Events and
 * the leader Lease — so the RBAC in `deploy/kubernetes/controller-rbac.yaml` can list exactly them.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { ClusterClient } from '../kube/cluster-client.js';
import { crdKind, OAM_GROUP } from './crds.js';

/** Field manager of every write the controller makes. */
export const CONTROLLER_FIELD_MANAGER = 'revela-controller';

/** Held on every object the controller synced, so deleting it waits for Revela's cleanup. */
export const FINALIZER = 'core.oam.dev/revela-controller';

/** An object of one of the kinds the controller watches, as the API server returns it. */
export interface OamObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: KubernetesObject['metadata'] & { name: string; namespace: string };
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface HubOptions {
  /** @default `KUBECONFIG`, then in-cluster, then `~/.kube/config` */
  readonly kubeconfigPath?: string;
  /** @default the kubeconfig's current context */
  readonly context?: string;
}

export class Hub {
  readonly kubeConfig: KubeConfig;
  readonly objects: ClusterClient;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;

  constructor(options: HubOptions = {}) {
    const kc = new KubeConfig();
    if (options.kubeconfigPath) kc.loadFromFile(options.kubeconfigPath);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
    this.kubeConfig = kc;
    this.objects = new ClusterClient('hub', kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  /** The API server URL (for messages). */
  get server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '(unknown)';
  }

  /** Every object of a kind, in all namespaces (an informer's list function). */
  async list(kind: string): Promise<{ items: OamObject[]; metadata?: { resourceVersion?: string } }> {
    const k = crdKind(kind);
    return (await this.custom.listClusterCustomObject({
      group: OAM_GROUP,
      version: k.version,
      plural: k.plural,
    })) as { items: OamObject[]; metadata?: { resourceVersion?: string } };
  }

  /** The watch path of a kind, for `makeInformer`. */
  static watchPath(kind: string): string {
    const k = crdKind(kind);
    return `/apis/${OAM_GROUP}/${k.version}/${k.plural}`;
  }

  /**
   * Replaces `.status` with a merge patch of the status subresource; `null` fields are removed.
   * Spec and metadata cannot change through it, so a status write never loses a user's edit.
   */
  async patchStatus(object: OamObject, status: Record<string, unknown>): Promise<void> {
    const k = crdKind(object.kind);
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: OAM_GROUP,
        version: k.version,
        namespace: object.metadata.namespace,
        plural: k.plural,
        name: object.metadata.name,
        body: { status },
        fieldManager: CONTROLLER_FIELD_MANAGER,
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /**
   * Sets the object's finalizers, only on the version read (`resourceVersion`): a concurrent
   * change makes it fail with 409 and the object is synced again from the newer version.
   */
  async setFinalizers(object: OamObject, finalizers: string[]): Promise<void> {
    await this.objects.mergePatch(
      {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
      },
      { finalizers, resourceVersion: object.metadata.resourceVersion },
      { fieldManager: CONTROLLER_FIELD_MANAGER },
    );
  }

  /** A Warning or Normal Event on the object (`kubectl describe`, `kubectl get events`). */
  async event(object: OamObject, type: 'Warning' | 'Normal', reason: string, message: string): Promise<void> {
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace: object.metadata.namespace,
      body: {
        metadata: { generateName: `${object.metadata.name}.`, namespace: object.metadata.namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: object.metadata.namespace,
          ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
          ...(object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
        },
        type,
        reason,
        // The API server refuses Event messages above 1 KiB.
        message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
        source: { component: CONTROLLER_FIELD_MANAGER },
        reportingComponent: CONTROLLER_FIELD_MANAGER,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
