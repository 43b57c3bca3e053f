import type { ClusterRegistry } from '../../kube/cluster-registry.js';
import { LOCAL_CLUSTER } from '../../model/cluster-info.js';
import { httpCall, parseBody } from './http-call.js';
import { permanent, StepFailureType } from './step-failures.js';
import type { BuiltinStepInput, BuiltinStepResult } from './types.js';

type UrlParam = { value?: string; secretRef?: { name: string; key: string } };

/**
 * A URL (or password) given as `{value}` or as `{secretRef: {name, key}}` — a Secret in the
 * application's namespace on the local cluster, as KubeVela reads it from its control plane.
 */
async function resolveSecretValue(
  registry: ClusterRegistry,
  param: UrlParam,
  namespace: string,
  what: string,
): Promise<string> {
  if (param.value !== undefined) return param.value;
  const ref = param.secretRef;
  if (!ref) throw permanent(StepFailureType.SecretNotFound, `${what}: give url.value or url.secretRef`);
  const secret = await registry
    .client(LOCAL_CLUSTER)
    .read({ apiVersion: 'v1', kind: 'Secret', namespace, name: ref.name });
  const encoded = (secret?.data as Record<string, string> | undefined)?.[ref.key];
  if (encoded === undefined) {
    throw permanent(
      StepFailureType.SecretNotFound,
      `${what}: ${secret ? `Secret ${namespace}/${ref.name} has no key "${ref.key}"` : `Secret ${namespace}/${ref.name} does not exist`} — create it on cluster ${LOCAL_CLUSTER}`,
    );
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

const JSON_HEADER = { 'Content-Type': 'application/json' };

/** Slack, DingTalk and Lark incoming webhooks take the message as a JSON body. */
export async function notification(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const p = input.parameters as Record<
    string,
    { url: UrlParam; message: Record<string, unknown> } | undefined
  >;
  const ns = input.context.namespace;
  const sent: string[] = [];
  if (p.email !== undefined) {
    throw permanent(
      StepFailureType.EmailNotSupported,
      'notification email: this Revela worker has no SMTP client configured, so it cannot send email; use slack, dingding or lark, or a webhook step',
    );
  }
  for (const channel of ['slack', 'dingding', 'lark'] as const) {
    const target = p[channel];
    if (!target) continue;
    const url = await resolveSecretValue(registry, target.url, ns, `notification ${channel}`);
    let message: Record<string, unknown> = target.message;
    if (channel === 'lark' && typeof message.content === 'string') {
      // Lark's API wants content as an object; KubeVela's parameter carries it JSON-encoded.
      message = { ...message, content: parseBody(message.content) };
    }
    await httpCall(`notification ${channel}`, url, {
      method: 'POST',
      header: JSON_HEADER,
      body: JSON.stringify(message),
    });
    sent.push(channel);
  }
  return {
    scope: { parameter: input.parameters },
    message: sent.length > 0 ? `sent to ${sent.join(', ')}` : 'no channel given: nothing sent',
  };
}

/** POSTs `data`, or the application when no data is given (KubeVela posts its Application). */
export async function webhook(
  registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const url = await resolveSecretValue(
    registry,
    input.parameters.url as UrlParam,
    input.context.namespace,
    'webhook',
  );
  const body = JSON.stringify(input.parameters.data ?? input.application ?? {});
  const answer = await httpCall('webhook', url, { method: 'POST', header: JSON_HEADER, body });
  return {
    scope: { parameter: input.parameters, data: { value: body }, response: parseBody(answer.body) },
    message: `posted ${body.length} bytes (answer ${answer.statusCode})`,
  };
}

/** Any request; outputs read the parsed answer as `response` and the raw one as `http.response`. */
export async function request(
  _registry: ClusterRegistry,
  input: BuiltinStepInput,
): Promise<BuiltinStepResult> {
  const p = input.parameters as {
    url: string;
    method: string;
    body?: unknown;
    header?: Record<string, string>;
  };
  const answer = await httpCall('request', p.url, {
    method: p.method,
    ...(p.body !== undefined
      ? { body: JSON.stringify(p.body), header: { ...JSON_HEADER, ...(p.header ?? {}) } }
      : {}),
    ...(p.body === undefined && p.header ? { header: p.header } : {}),
  });
  return {
    scope: { parameter: p, response: parseBody(answer.body), http: { response: answer } },
    message: `${p.method} answered ${answer.statusCode}`,
  };
}
