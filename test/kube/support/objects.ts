import type { KubeObject } from '../../../model/kube-object.js';

/**
 * `labels` only when there are some: the apiserver stores no empty map, so an applied `labels: {}`
 * differs from the live object and conflicts with any other manager that applied it too.
 */
function labelsOf(labels: Record<string, string> | undefined): { labels?: Record<string, string> } {
  return labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {};
}

/** A Deployment like the one the webservice component renders for podinfo. */
export function deployment(
  name: string,
  options: {
    namespace?: string;
    replicas?: number;
    image?: string;
    labels?: Record<string, string>;
    progressDeadlineSeconds?: number;
  } = {},
): KubeObject {
  const spec: Record<string, unknown> = {
    replicas: options.replicas ?? 3,
    selector: { matchLabels: { 'app.oam.dev/component': name } },
    template: {
      metadata: { labels: { 'app.oam.dev/component': name } },
      spec: {
        containers: [
          { name, image: options.image ?? 'stefanprodan/podinfo:6.5.0', ports: [{ containerPort: 9898 }] },
        ],
      },
    },
  };
  if (options.progressDeadlineSeconds !== undefined)
    spec.progressDeadlineSeconds = options.progressDeadlineSeconds;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: options.namespace ?? 'default', ...labelsOf(options.labels) },
    spec,
  };
}

export function service(
  name: string,
  options: { namespace?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.namespace ?? 'default', ...labelsOf(options.labels) },
    spec: { selector: { 'app.oam.dev/component': name }, ports: [{ port: 80, targetPort: 9898 }] },
  };
}

export function job(name: string, options: { namespace?: string; image?: string } = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: options.namespace ?? 'default' },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name, image: options.image ?? 'busybox:1.36' }] },
      },
    },
  };
}

export function configMap(
  name: string,
  data: Record<string, string>,
  options: { namespace?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: options.namespace ?? 'default', ...labelsOf(options.labels) },
    data,
  };
}
