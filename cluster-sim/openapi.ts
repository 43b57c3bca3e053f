import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersions, RESOURCE_TYPES, type ResourceType } from './resource-types.js';

/**
 * Minimal OpenAPI v3. kubectl ≥ 1.27 reads it to decide whether the server validates fields
 * itself: it looks for the PATCH operation of the kind (by `x-kubernetes-group-version-kind`) and
 * its `fieldValidation` query parameter. When found, `kubectl apply` sends `fieldValidation=Strict`
 * instead of downloading schemas for client-side validation. Schemas are deliberately open.
 */

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function schemaName(type: ResourceType): string {
  const group = type.group === '' ? 'core' : (type.group.split('.')[0] ?? type.group);
  return `io.k8s.api.${group}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType): Record<string, string> {
  return { group: type.group, version: type.version, kind: type.kind };
}

function pathsFor(type: ResourceType): Record<string, unknown> {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const collection = type.namespaced
    ? `${base}/namespaces/{namespace}/${type.plural}`
    : `${base}/${type.plural}`;
  const ref = { $ref: `#/components/schemas/${schemaName(type)}` };
  const body = { content: { 'application/json': { schema: ref } } };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const operation = (action: string, method: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${method}${type.kind}`,
    parameters: QUERY_PARAMETERS.map((name) => ({
      name,
      in: 'query',
      schema: { type: name === 'force' ? 'boolean' : 'string' },
      uniqueItems: true,
    })),
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(type),
    ...extra,
  });
  return {
    [collection]: {
      get: operation('list', 'list'),
      post: operation('post', 'create', { requestBody: body }),
    },
    [`${collection}/{name}`]: {
      get: operation('get', 'read'),
      put: operation('put', 'replace', { requestBody: body }),
      patch: operation('patch', 'patch', {
        requestBody: {
          content: Object.fromEntries(
            [
              'application/apply-patch+yaml',
              'application/merge-patch+json',
              'application/strategic-merge-patch+json',
            ].map((m) => [m, { schema: { type: 'object' } }]),
          ),
        },
      }),
      delete: operation('delete', 'delete'),
    },
  };
}

/** The document for one group-version (`/openapi/v3/apis/apps/v1`). */
export function groupVersionDocument(group: string, version: string): Record<string, unknown> {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths: Object.assign({}, ...types.map(pathsFor)) as Record<string, unknown>,
    components: {
      schemas: Object.fromEntries(
        types.map((t) => [
          schemaName(t),
          {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: open,
              spec: open,
              status: open,
            },
            'x-kubernetes-group-version-kind': [gvk(t)],
          },
        ]),
      ),
    },
  };
}

function documentPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** `GET /openapi/v3`: where each group-version's document is, with a content hash for caching. */
export function openApiRoot(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, version } of groupVersions()) {
    const hash = createHash('sha512')
      .update(JSON.stringify(groupVersionDocument(group, version)))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
    paths[documentPath(group, version)] = {
      serverRelativeURL: `/openapi/v3/${documentPath(group, version)}?hash=${hash}`,
    };
  }
  return { paths };
}

/** Resolves `/openapi/v3/<path>` to its group-version, if served. */
export function findDocument(path: string): { group: string; version: string } | undefined {
  return groupVersions().find(
    (gv) =>
      documentPath(gv.group, gv.version) === path &&
      RESOURCE_TYPES.some((t) => apiVersionOf(t) === apiVersionOf(gv)),
  );
}
