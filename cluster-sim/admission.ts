import { deepEqual, ensureObject, isPlainObject, str, type JsonObject } from './json.js';
import type { ResourceType } from './resource-types.js';
import { invalid } from './status-error.js';

/**
 * What the API server does to an object between decoding and storing it: validation (422 Invalid,
 * naming each field) and defaulting (replicas, protocols, a cluster IP), for the kinds Revela
 * renders. Other kinds only get their name checked.
 */

interface Cause {
  field: string;
  message: string;
  type?: string;
}

export interface AdmissionContext {
  /** Hands out the next free cluster IP of this cluster. */
  readonly allocateClusterIP: () => string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function obj(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

function checkName(type: ResourceType, name: unknown, causes: Cause[]): void {
  const label = type.kind === 'Namespace' || type.kind === 'Service';
  if (typeof name !== 'string' || name === '') {
    causes.push({
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
      type: 'FieldValueRequired',
    });
  } else if (
    label ? !DNS_LABEL.test(name) || name.length > 63 : !DNS_SUBDOMAIN.test(name) || name.length > 253
  ) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 ${label ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-'${label ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
    });
  }
}

function checkPodTemplate(
  template: JsonObject,
  field: string,
  causes: Cause[],
  restartPolicies?: readonly string[],
): void {
  const spec = obj(template.spec);
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) {
    causes.push({ field: `${field}.spec.containers`, message: 'Required value', type: 'FieldValueRequired' });
  }
  containers.forEach((c, i) => {
    const container = obj(c);
    if (typeof container.name !== 'string' || container.name === '') {
      causes.push({
        field: `${field}.spec.containers[${i}].name`,
        message: 'Required value',
        type: 'FieldValueRequired',
      });
    }
    if (typeof container.image !== 'string' || container.image === '') {
      causes.push({
        field: `${field}.spec.containers[${i}].image`,
        message: 'Required value',
        type: 'FieldValueRequired',
      });
    }
  });
  if (
    restartPolicies &&
    typeof spec.restartPolicy === 'string' &&
    !restartPolicies.includes(spec.restartPolicy)
  ) {
    causes.push({
      field: `${field}.spec.restartPolicy`,
      message: `Unsupported value: "${spec.restartPolicy}": supported values: ${restartPolicies.map((p) => `"${p}"`).join(', ')}`,
      type: 'FieldValueNotSupported',
    });
  }
}

function defaultPodTemplate(template: JsonObject, restartPolicy: string): void {
  const spec = ensureObject(template, 'spec');
  spec.restartPolicy ??= restartPolicy;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isPlainObject(c)) continue;
    const image = typeof c.image === 'string' ? c.image : '';
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    c.imagePullPolicy ??= tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    for (const p of Array.isArray(c.ports) ? c.ports : []) if (isPlainObject(p)) p.protocol ??= 'TCP';
  }
}

function admitDeployment(object: JsonObject, old: JsonObject | undefined, causes: Cause[]): void {
  const spec = ensureObject(object, 'spec');
  spec.replicas ??= 1;
  if (typeof spec.replicas !== 'number' || spec.replicas < 0 || !Number.isInteger(spec.replicas)) {
    causes.push({
      field: 'spec.replicas',
      message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
    });
  }
  spec.progressDeadlineSeconds ??= 600;
  spec.revisionHistoryLimit ??= 10;
  if (!isPlainObject(spec.strategy)) spec.strategy = { type: 'RollingUpdate' };
  const strategy = obj(spec.strategy);
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    rolling.maxSurge ??= '25%';
    rolling.maxUnavailable ??= '25%';
  }
  const template = obj(spec.template);
  const selector = spec.selector;
  if (!isPlainObject(selector)) {
    causes.push({ field: 'spec.selector', message: 'Required value', type: 'FieldValueRequired' });
  } else {
    const labels = obj(obj(template.metadata).labels) as Record<string, string>;
    const matches = Object.entries(obj(selector.matchLabels)).every(([k, v]) => labels[k] === v);
    if (!matches) {
      causes.push({
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
      });
    }
    if (old && !deepEqual(obj(old.spec).selector, selector)) {
      causes.push({
        field: 'spec.selector',
        message: `Invalid value: ${JSON.stringify(selector)}: field is immutable`,
      });
    }
  }
  checkPodTemplate(template, 'spec.template', causes, ['Always']);
  defaultPodTemplate(template, 'Always');
}

function admitJob(object: JsonObject, old: JsonObject | undefined, causes: Cause[]): void {
  const spec = ensureObject(object, 'spec');
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const template = ensureObject(spec, 'template');
  checkPodTemplate(template, 'spec.template', causes, ['OnFailure', 'Never']);
  if (obj(template.spec).restartPolicy === undefined) {
    causes.push({
      field: 'spec.template.spec.restartPolicy',
      message: 'Required value: valid values: "OnFailure", "Never"',
      type: 'FieldValueRequired',
    });
  }
  defaultPodTemplate(template, 'Never');
  const metadata = obj(object.metadata);
  const uid = str(metadata.uid);
  const name = str(metadata.name);
  // Jobs select their pods by a generated label, like the Job controller's manualSelector=false.
  spec.manualSelector ??= false;
  if (spec.manualSelector === false) {
    const generated = { 'batch.kubernetes.io/controller-uid': uid };
    spec.selector ??= { matchLabels: generated };
    const templateMetadata = ensureObject(template, 'metadata');
    const labels = ensureObject(templateMetadata, 'labels');
    labels['batch.kubernetes.io/controller-uid'] ??= uid;
    labels['batch.kubernetes.io/job-name'] ??= name;
    labels['controller-uid'] ??= uid;
    labels['job-name'] ??= name;
  }
  if (old && !deepEqual(obj(old.spec).template, template)) {
    causes.push({ field: 'spec.template', message: 'Invalid value: field is immutable' });
  }
}

function admitService(
  object: JsonObject,
  old: JsonObject | undefined,
  causes: Cause[],
  context: AdmissionContext,
): void {
  const spec = ensureObject(object, 'spec');
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const oldIP = obj(old?.spec).clusterIP;
  if (spec.clusterIP === undefined || spec.clusterIP === '') {
    spec.clusterIP =
      typeof oldIP === 'string'
        ? oldIP
        : spec.type === 'ExternalName'
          ? undefined
          : context.allocateClusterIP();
  } else if (typeof oldIP === 'string' && spec.clusterIP !== oldIP) {
    causes.push({
      field: 'spec.clusterIP',
      message: `Invalid value: "${str(spec.clusterIP)}": field is immutable`,
    });
  }
  if (typeof spec.clusterIP === 'string') {
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
    causes.push({ field: 'spec.ports', message: 'Required value', type: 'FieldValueRequired' });
  }
  ports.forEach((p, i) => {
    if (!isPlainObject(p)) return;
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) {
      causes.push({
        field: `spec.ports[${i}].port`,
        message: `Invalid value: ${JSON.stringify(p.port)}: must be between 1 and 65535, inclusive`,
      });
    }
  });
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') {
    ports.forEach((p, i) => {
      if (isPlainObject(p)) p.nodePort ??= 30000 + ((Number(p.port) * 7 + i) % 2768);
    });
  }
  object.status ??= { loadBalancer: {} };
}

function admitNamespace(object: JsonObject): void {
  const metadata = obj(object.metadata);
  const labels = ensureObject(metadata, 'labels');
  labels['kubernetes.io/metadata.name'] = str(metadata.name);
  const spec = ensureObject(object, 'spec');
  spec.finalizers ??= ['kubernetes'];
  object.status = { phase: 'Active' };
}

/**
 * Validates and defaults `object` in place.
 * @throws StatusError 422 Invalid naming every invalid field.
 */
export function admit(
  type: ResourceType,
  object: JsonObject,
  old: JsonObject | undefined,
  context: AdmissionContext,
): void {
  const causes: Cause[] = [];
  const name = obj(object.metadata).name;
  checkName(type, name, causes);
  switch (type.kind) {
    case 'Deployment':
      admitDeployment(object, old, causes);
      break;
    case 'Job':
      admitJob(object, old, causes);
      break;
    case 'Service':
      admitService(object, old, causes, context);
      break;
    case 'Namespace':
      admitNamespace(object);
      break;
    case 'Pod':
      checkPodTemplate({ spec: object.spec }, '', causes);
      defaultPodTemplate(object, 'Always');
      break;
  }
  if (causes.length > 0) {
    throw invalid(
      type.kind,
      type.group,
      typeof name === 'string' ? name : '',
      causes.map((c) => ({ ...c, field: c.field.replace(/^\./, '') })),
    );
  }
}
