/**
 * Installs (or updates) Revela's CustomResourceDefinitions in a cluster with server-side apply,
 * then waits until the API server serves them — what `npm start` does for its hub, and what
 * `revela controller --install-crds` does for any other.
 */
import type { KubeObject } from '../model/kube-object.js';
import { CRD_KINDS, customResourceDefinition } from './crds.js';
import { CONTROLLER_FIELD_MANAGER, type Hub } from './hub.js';

/**
 * The client library serializes a CustomResourceDefinition through its typed model, which knows
 * `x-kubernetes-preserve-unknown-fields` only as `x_kubernetes_preserve_unknown_fields` (and
 * `enum` as `_enum`) and silently drops the JSON spelling — except below `items` and
 * `additionalProperties`, typed `any`, which pass through verbatim. This spells each node the way
 * the serializer reads it, so what reaches the API server is the generated schema.
 */
const MODEL_NAMES: Record<string, string> = {
  enum: '_enum',
  'x-kubernetes-preserve-unknown-fields': 'x_kubernetes_preserve_unknown_fields',
  'x-kubernetes-int-or-string': 'x_kubernetes_int_or_string',
};

function modelSchema(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>).map(([k, v]) => [k, modelSchema(v)]),
      );
    } else {
      out[MODEL_NAMES[key] ?? key] = value;
    }
  }
  return out;
}

function forClient(crd: Record<string, unknown>): KubeObject {
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
  return {
    ...crd,
    spec: {
      ...spec,
      versions: spec.versions.map((v) => ({
        ...v,
        schema: { openAPIV3Schema: modelSchema(v.schema.openAPIV3Schema) },
      })),
    },
  } as unknown as KubeObject;
}

const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

export async function installCrds(hub: Hub, options: { timeoutMs?: number } = {}): Promise<void> {
  for (const kind of CRD_KINDS) {
    await hub.objects.apply(forClient(customResourceDefinition(kind)), {
      fieldManager: CONTROLLER_FIELD_MANAGER,
      force: true,
    });
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const kind of CRD_KINDS) {
    const name = `${kind.plural}.core.oam.dev`;
    for (;;) {
      const crd = (await hub.objects.read({ ...CRD_REF, name })) as
        { status?: { conditions?: { type: string; status: string; message?: string }[] } } | undefined;
      const established = crd?.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status === 'True') break;
      if (Date.now() > deadline) {
        const why = crd?.status?.conditions
          ?.map((c) => `${c.type}=${c.status} ${c.message ?? ''}`)
          .join('; ');
        throw new Error(
          `CustomResourceDefinition ${name} is not established on ${hub.server}: ${why ?? 'not found'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
