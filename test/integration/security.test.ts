import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { kubeconfigFor } from '../../dev/local-clusters.js';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { RevelaPayloadCodec } from '../../client/payload-codec.js';
import { RevelaClient } from '../../client/revela-client.js';
import type { Application } from '../../model/application.js';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { ANNOTATION_SECRET_DATA_SHA256, ANNOTATION_SECRET_SOURCE } from '../../model/ref-objects.js';
import { testApp } from '../harness/apps.js';
import { FAST_ENGINE, startTestStack, type TestStack } from '../harness/stack.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

const execFileAsync = promisify(execFile);

/**
 * A real bearer token of a ServiceAccount bound to cluster-admin on one of the stack's clusters,
 * made with kubectl as an operator would.
 */
async function serviceAccountToken(stack: TestStack, cluster: string): Promise<string> {
  const kubectl = (...args: string[]) =>
    execFileAsync(stack.clusters.kubectl, ['--context', cluster, ...args], {
      env: stack.clusters.kubectlEnv(),
    });
  await kubectl('create', 'serviceaccount', 'revela-security', '-n', 'default').catch(() => undefined);
  await kubectl(
    'create',
    'clusterrolebinding',
    'revela-security',
    '--clusterrole=cluster-admin',
    '--serviceaccount=default:revela-security',
  ).catch(() => undefined);
  const { stdout } = await kubectl('create', 'token', 'revela-security', '-n', 'default', '--duration=1h');
  return stdout.trim();
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

const base64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * Everything a history holds as text: its JSON (failure messages, summaries, search attributes)
 * plus every byte field decoded — payloads as stored, gunzipped when compressed — so a value that
 * a payload carries is found even though the JSON shows payload data only as base64.
 */
function historyText(history: History): string {
  const parts = [historyToJSON(history)];
  const visit = (value: unknown): void => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value);
      parts.push((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  visit(history);
  return parts.join('\n');
}

/** The text of every workflow history in the stack's Temporal namespace. */
async function allHistories(stack: TestStack): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const wf of stack.temporal.workflow.list()) {
    out.set(
      wf.workflowId,
      historyText(await stack.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()),
    );
  }
  return out;
}

/** Which of `planted` occur in `text` (an empty list is the expected answer). */
function leaked(text: string, planted: readonly string[]): string[] {
  return planted.filter((p) => text.includes(p));
}

describe('with REVELA_ENCRYPTION_KEY, histories hold no plaintext snapshot', () => {
  const key = randomBytes(32);
  const IMAGE = `registry.example.com/planted-${randomUUID().slice(0, 8)}/checkout:7.3.1`;
  const COMPONENT = `planted-checkout-${randomUUID().slice(0, 8)}`;
  const ANNOTATION = `planted-annotation-${randomUUID()}`;
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ workerEnv: { REVELA_ENCRYPTION_KEY: key.toString('base64') } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the entity and revision histories contain neither the image, the component name nor an annotation value', async () => {
    const ref = { name: 'checkout', namespace: 'encrypted' };
    const app = testApp({
      ...ref,
      components: { [COMPONENT]: IMAGE },
      policies: [{ name: 'both', type: 'topology', properties: { clusters: ['hangzhou1', 'hangzhou2'] } }],
    });
    app.metadata.annotations = { 'example.com/owner': ANNOTATION };
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');

    for (const id of [
      applicationWorkflowId('encrypted', 'checkout'),
      revisionWorkflowId('encrypted', 'checkout-v1'),
    ]) {
      const history = await stack.temporal.workflow.getHandle(id).fetchHistory();
      expect(leaked(historyText(history), [IMAGE, 'planted-', COMPONENT, ANNOTATION]), id).toEqual([]);
      // Not vacuous: with the key, the same history's first payload holds the snapshot.
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    }
    const revision = await stack.temporal.workflow
      .getHandle(revisionWorkflowId('encrypted', 'checkout-v1'))
      .fetchHistory();
    const input = revision.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const [decoded] = await new RevelaPayloadCodec({ encryptionKey: key }).decode([input ?? {}]);
    expect(Buffer.from(decoded?.data ?? []).toString()).toContain(IMAGE);
    expect(Buffer.from(decoded?.data ?? []).toString()).toContain(ANNOTATION);
    // Activity summaries (`apply Deployment/<component> → hangzhou1`) are payloads too.
    const summaries = (revision.events ?? []).flatMap((e) =>
      e.userMetadata?.summary ? [e.userMetadata.summary] : [],
    );
    expect(summaries.length).toBeGreaterThan(0);
    expect(new Set(summaries.map((p) => Buffer.from(p.metadata?.encoding ?? []).toString()))).toEqual(
      new Set(['binary/encrypted']),
    );
  });

  it('without the key, workflow ids, search attributes and failure messages stay readable: they name objects, never carry data', async () => {
    const ref = { name: 'refused', namespace: 'encrypted' };
    stack.clusters.faults('hangzhou2').failWith({ status: 403, message: 'injected fault' });
    try {
      const app = testApp({
        ...ref,
        components: { [COMPONENT]: IMAGE },
        policies: [{ name: 'there', type: 'topology', properties: { clusters: ['hangzhou2'] } }],
      });
      const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
      expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 30_000 })).status).toBe(
        'Failed',
      );
    } finally {
      await stack.clusters.clearFaults('hangzhou2');
    }
    // What the Temporal service (or anyone with read access to the namespace) sees.
    const blind = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS ?? '' });
    try {
      const listed = await blind.workflowService.listWorkflowExecutions({
        namespace: stack.namespace,
        query: 'RevelaApp="encrypted/refused"',
      });
      const ids = (listed.executions ?? []).map((e) => e.execution?.workflowId ?? '');
      expect(ids.sort()).toEqual(['app/encrypted/refused', 'rev/encrypted/refused-v1']);
      const revision = listed.executions?.find((e) => e.execution?.workflowId === 'rev/encrypted/refused-v1');
      const attributes = Object.fromEntries(
        Object.entries(revision?.searchAttributes?.indexedFields ?? {}).map(([k, p]) => [
          k,
          Buffer.from(p.data ?? []).toString(),
        ]),
      );
      expect(attributes).toMatchObject({
        RevelaRevision: '"refused-v1"',
        RevelaPublishVersion: '"v1"',
        RevelaPhase: '"Failed"',
      });
      const plain = new Client({ connection: blind, namespace: stack.namespace });
      const text = historyText(await plain.workflow.getHandle('rev/encrypted/refused-v1').fetchHistory());
      // The first write refused: the namespace, or the Deployment when an earlier test created it.
      expect(text).toMatch(
        /hangzhou2: [^\n"]*(Namespace\/encrypted|Deployment\/planted-checkout-[0-9a-f]+)[^\n"]*injected fault/,
      );
      expect(leaked(text, [IMAGE, ANNOTATION])).toEqual([]);
    } finally {
      await blind.close();
    }
  });
});

describe('a worker process never writes down Secret data or kubeconfig credentials', () => {
  // No encryption here: the tests prove that Revela never puts these values into a payload, a
  // failure or a log line at all, not that a codec hides them.
  const SECRET = `planted-secret-${randomUUID()}`;
  const ROTATED = `planted-rotated-${randomUUID()}`;
  // Real credentials of the real clusters: a ServiceAccount token per cluster (made below), and
  // the cluster CA's admin client certificate on hangzhou2.
  const TOKENS: Record<string, string> = {};
  let KEY = '';
  let CERT = '';
  let CREDENTIALS: string[] = [];
  const SECRETS = [SECRET, base64(SECRET), ROTATED, base64(ROTATED)];

  let stack: TestStack;
  let worker: WorkerProcess;
  let dir: string;
  let kubeconfigPath: string;

  beforeAll(async () => {
    stack = await startTestStack({ startWorker: false });
    dir = await mkdtemp(join(tmpdir(), 'revela-security-'));
    // A kubeconfig with a different kind of credential per cluster, each accepted by the real
    // apiserver behind the stack's proxy: ServiceAccount tokens, and on hangzhou2 a client
    // certificate next to its token.
    for (const cluster of stack.clusters.names) TOKENS[cluster] = await serviceAccountToken(stack, cluster);
    const hangzhou2 = stack.clusters.set.clusters.find((c) => c.name === 'hangzhou2');
    KEY = hangzhou2?.servingKeyPem ?? '';
    CERT = hangzhou2?.servingCertPem ?? '';
    const pemBody = (pem: string) => pem.split('\n')[1] ?? pem;
    CREDENTIALS = [...Object.values(TOKENS), pemBody(KEY), pemBody(CERT), base64(KEY), base64(CERT)];
    const kubeconfig = parse(kubeconfigFor(stack.clusters.proxied())) as {
      users: { name: string; user: Record<string, string> }[];
      contexts: { name: string; context: { user: string } }[];
    };
    kubeconfig.users = [
      { name: 'local-sa', user: { token: TOKENS.local ?? '' } },
      { name: 'hangzhou1-sa', user: { token: TOKENS.hangzhou1 ?? '' } },
      {
        name: 'cert-user',
        user: {
          'client-certificate-data': base64(CERT),
          'client-key-data': base64(KEY),
          token: TOKENS.hangzhou2 ?? '',
        },
      },
    ];
    const users: Record<string, string> = {
      local: 'local-sa',
      hangzhou1: 'hangzhou1-sa',
      hangzhou2: 'cert-user',
    };
    for (const c of kubeconfig.contexts) c.context.user = users[c.name] ?? 'local-sa';
    kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, stringify(kubeconfig), { mode: 0o600 });
    worker = await startWorkerProcess({
      ...stack.env,
      REVELA_KUBECONFIG: kubeconfigPath,
      REVELA_LOG_LEVEL: 'DEBUG',
    });
  });
  afterAll(async () => {
    await worker?.kill();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function putSecret(value: string): Promise<void> {
    const local = stack.registry.client('local');
    await local.ensureNamespace('vault');
    await local.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-creds', namespace: 'vault' },
      type: 'Opaque',
      data: { password: base64(value) },
    });
  }

  function secretApp(name: string, steps?: Application['spec']['workflow']): Application {
    const app = testApp({ name, namespace: 'payments', components: {} });
    app.spec.components = [
      {
        name: 'creds',
        type: 'ref-objects',
        properties: { objects: [{ kind: 'Secret', name: 'db-creds', namespace: 'vault', cluster: 'local' }] },
      },
    ];
    app.spec.policies = [{ name: 'hangzhou', type: 'topology', properties: { clusters: ['hangzhou1'] } }];
    if (steps) app.spec.workflow = steps;
    return app;
  }

  it('a ref-objects Secret reaches the target cluster with its data, while its snapshot, histories and debug logs hold only its hash', async () => {
    await putSecret(SECRET);
    const ref = { name: 'billing', namespace: 'payments' };
    const v1 = await stack.client.publish({ app: secretApp('billing'), publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');

    const deployed = await stack.clusters
      .client('hangzhou1')
      .read({ apiVersion: 'v1', kind: 'Secret', namespace: 'payments', name: 'db-creds' });
    expect(deployed?.data).toEqual({ password: base64(SECRET) });
    expect(deployed?.type).toBe('Opaque');
    expect(deployed?.metadata.annotations?.[ANNOTATION_SECRET_SOURCE]).toBe('local/vault/db-creds');
    expect(deployed?.metadata.annotations?.[ANNOTATION_SECRET_DATA_SHA256]).toMatch(/^[0-9a-f]{64}$/);

    const { snapshot } = await stack.client.getRevision(ref, 'billing-v1');
    expect(snapshot.referencedObjects).toEqual([
      {
        cluster: 'local',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db-creds', namespace: 'vault' },
          dataSha256: deployed?.metadata.annotations?.[ANNOTATION_SECRET_DATA_SHA256],
        },
      },
    ]);

    const histories = await allHistories(stack);
    expect([...histories.keys()]).toEqual(
      expect.arrayContaining(['app/payments/billing', 'rev/payments/billing-v1']),
    );
    // Not vacuous: the search reads the payloads, where the snapshot records the Secret's hash.
    expect(histories.get('rev/payments/billing-v1')).toContain(
      deployed?.metadata.annotations?.[ANNOTATION_SECRET_DATA_SHA256],
    );
    for (const [id, text] of histories) expect(leaked(text, SECRETS), id).toEqual([]);
    expect(worker.lines.some((l) => l.includes('"level":"DEBUG"'))).toBe(true);
    expect(leaked(worker.lines.join('\n'), SECRETS)).toEqual([]);
  });

  it('a Secret changed after its revision was published fails the deploy with both hashes and neither value', async () => {
    await putSecret(SECRET);
    const ref = { name: 'ledger', namespace: 'payments' };
    const app = secretApp('ledger', {
      steps: [
        { name: 'hold', type: 'suspend' },
        { name: 'deploy-hangzhou', type: 'deploy', properties: { policies: ['hangzhou'] } },
      ],
    });
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    await stack.client.waitForRevision(ref, v1.revision, { until: ['Suspended'] });
    await putSecret(ROTATED);
    await stack.client.resume(ref);

    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Failed');
    const status = await stack.client.status(ref);
    const deploy = status.run?.steps.find((s) => s.name === 'deploy-hangzhou');
    expect(deploy?.message).toMatch(
      /the Secret local\/vault\/db-creds changed since ledger-v1 was published \(data sha256 [0-9a-f]{16}…, now [0-9a-f]{16}…\): publish a new version/,
    );
    expect(
      await stack.clusters.list('hangzhou1', {
        apiVersion: 'v1',
        kind: 'Secret',
        labelSelector: { 'app.oam.dev/name': 'ledger' },
      }),
    ).toEqual([]);

    for (const [id, text] of await allHistories(stack)) expect(leaked(text, SECRETS), id).toEqual([]);
    expect(leaked(JSON.stringify(status), SECRETS)).toEqual([]);
    expect(leaked(worker.lines.join('\n'), SECRETS)).toEqual([]);
  });

  it('kubeconfig credentials appear in no history, log line or client error, also when a cluster refuses with 403', async () => {
    const ref = { name: 'storefront', namespace: 'creds' };
    const everywhere = [
      { name: 'all', type: 'topology', properties: { clusters: ['local', 'hangzhou1', 'hangzhou2'] } },
    ];
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { web: 'nginx:1.27' }, policies: everywhere }),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');

    // A permanent Kubernetes error: the worker's request (with the cert user's credentials) is
    // refused. v2 deploys to hangzhou2 only, so its one apply fails and nothing else races it.
    stack.clusters.faults('hangzhou2').failWith({ status: 403 });
    const errors: string[] = [];
    try {
      const onlyHangzhou2 = [{ name: 'all', type: 'topology', properties: { clusters: ['hangzhou2'] } }];
      const v2 = await stack.client.publish({
        app: testApp({ ...ref, components: { web: 'nginx:1.28' }, policies: onlyHangzhou2 }),
        publishVersion: 'v2',
      });
      expect((await stack.client.waitForRevision(ref, v2.revision, { timeoutMs: 30_000 })).status).toBe(
        'Failed',
      );
      const status = await stack.client.status(ref);
      const message = status.run?.steps.find((s) => s.phase === 'failed')?.message ?? '';
      expect(message).toContain('403');
      errors.push(JSON.stringify(status));

      // A client reading through the same kubeconfig: its preflight read is refused too.
      const client = await RevelaClient.connect({
        address: stack.env.TEMPORAL_ADDRESS,
        temporalNamespace: stack.namespace,
        taskQueue: stack.taskQueue,
        engine: FAST_ENGINE,
        clusters: { kubeconfigPath, clustersPath: stack.env.REVELA_CLUSTERS },
        env: {},
      });
      try {
        const reading = testApp({ name: 'reader', namespace: 'creds', components: {} });
        reading.spec.components = [
          {
            name: 'config',
            type: 'ref-objects',
            properties: { objects: [{ resource: 'configmap', name: 'settings', cluster: 'hangzhou2' }] },
          },
        ];
        const refused = await client.apply([reading]).then(
          () => undefined,
          (err: unknown) => err as Error,
        );
        expect(refused?.message).toContain('403');
        errors.push(refused?.message ?? '', JSON.stringify(refused), String(refused?.stack));
        errors.push(JSON.stringify(await client.listClusters()));
      } finally {
        await client.close();
      }
    } finally {
      await stack.clusters.clearFaults('hangzhou2');
    }

    for (const [id, text] of await allHistories(stack)) expect(leaked(text, CREDENTIALS), id).toEqual([]);
    expect(leaked(worker.lines.join('\n'), CREDENTIALS)).toEqual([]);
    expect(leaked(errors.join('\n'), CREDENTIALS)).toEqual([]);
  });
});
