import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { temporal } from '@temporalio/proto';
import { startCodecServer } from '../../client/codec-server.js';
import { RevelaPayloadCodec } from '../../client/payload-codec.js';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import {
  RevelaApp,
  RevelaHash,
  RevelaPhase,
  RevelaPublishVersion,
  RevelaRevision,
} from '../../workflows/search-attributes.js';
import { testApp } from '../harness/apps.js';
import { startTestStack, type TestStack } from '../harness/stack.js';

const EventType = temporal.api.enums.v1.EventType;
const IMAGE = 'registry.example.com/planted/secret-image:4.2.0';

describe('what the Temporal UI shows of a revision', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('search attributes, summary, step details and activity summaries name the revision and what it deployed', async () => {
    const ref = { name: 'shop', namespace: 'visible' };
    const app = testApp({
      ...ref,
      components: { web: IMAGE },
      policies: [{ name: 'both', type: 'topology', properties: { clusters: ['hangzhou1', 'hangzhou2'] } }],
    });
    const v1 = await stack.client.publish({ app, publishVersion: '1.0.0' });
    await stack.client.waitForRevision(ref, v1.revision);

    const rev = stack.temporal.workflow.getHandle(revisionWorkflowId('visible', 'shop-v1'));
    const d = await rev.describe();
    expect(d.typedSearchAttributes.get(RevelaApp)).toBe('visible/shop');
    expect(d.typedSearchAttributes.get(RevelaRevision)).toBe('shop-v1');
    expect(d.typedSearchAttributes.get(RevelaPublishVersion)).toBe('1.0.0');
    expect(d.typedSearchAttributes.get(RevelaHash)).toBe(v1.hash);
    expect(d.typedSearchAttributes.get(RevelaPhase)).toBe('Succeeded');
    expect(await d.staticSummary()).toBe(`shop-v1 (1.0.0) of visible/shop · hash ${v1.hash}`);

    const metadata = await rev.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('## shop-v1 · Succeeded');
    expect(metadata.currentDetails).toContain('| deploy-both | deploy | succeeded |');
    expect(metadata.currentDetails).toContain('| hangzhou1 | visible | web | Healthy | Ready:1/1 |');

    const summaries: string[] = [];
    for (const e of (await rev.fetchHistory()).events ?? []) {
      if (e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
      const summary = e.userMetadata?.summary?.data;
      if (summary) summaries.push(JSON.parse(Buffer.from(summary).toString('utf8')) as string);
    }
    expect(summaries).toEqual(
      expect.arrayContaining([
        'apply Deployment/web → hangzhou1',
        'apply Deployment/web → hangzhou2',
        'wait healthy visible/web → hangzhou1',
      ]),
    );

    const entity = await stack.temporal.workflow
      .getHandle(applicationWorkflowId('visible', 'shop'))
      .describe();
    expect(entity.typedSearchAttributes.get(RevelaPhase)).toBe('running');
    expect(entity.typedSearchAttributes.get(RevelaRevision)).toBe('shop-v1');
  });

  it('payloads above 32 KiB are stored gzipped', async () => {
    const ref = { name: 'big', namespace: 'visible' };
    // Many components make a snapshot well above the compression threshold.
    const components = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`svc-${i}`, `example.com/svc-${i}:1.0.${i}`]),
    );
    const v1 = await stack.client.publish({ app: testApp({ ...ref, components }), publishVersion: 'big' });
    expect(v1.hash).toMatch(/^[0-9a-f]{16}$/);
    const history = await stack.temporal.workflow
      .getHandle(revisionWorkflowId('visible', 'big-v1'))
      .fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/gzip');
    expect(historyToJSON(history)).not.toContain('svc-299');
  });
});

describe('with REVELA_ENCRYPTION_KEY', () => {
  const key = randomBytes(32);
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ workerEnv: { REVELA_ENCRYPTION_KEY: key.toString('base64') } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('no snapshot content is in the history in plain text, and the codec server decodes it for the UI', async () => {
    const ref = { name: 'vault', namespace: 'secure' };
    const v1 = await stack.client.publish({
      app: testApp({ ...ref, components: { web: IMAGE } }),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(ref, v1.revision)).status).toBe('Succeeded');

    const handles = [
      stack.temporal.workflow.getHandle(revisionWorkflowId('secure', 'vault-v1')),
      stack.temporal.workflow.getHandle(applicationWorkflowId('secure', 'vault')),
    ];
    let input: temporal.api.common.v1.IPayload | undefined;
    for (const handle of handles) {
      const history = await handle.fetchHistory();
      const json = historyToJSON(history);
      expect(json).not.toContain('planted/secret-image');
      expect(json).not.toContain('"image"');
      expect(json).not.toContain('webservice');
      input ??=
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] ?? undefined;
    }
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');

    const codec = await startCodecServer({ codec: new RevelaPayloadCodec({ encryptionKey: key }) });
    try {
      const res = await fetch(`${codec.url}/decode`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-namespace': stack.namespace,
          origin: 'http://localhost:8233',
        },
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(
                Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
              ),
              data: Buffer.from(input?.data ?? []).toString('base64'),
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const body = (await res.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString()).toContain(
        'planted/secret-image',
      );
    } finally {
      codec.server.close();
    }

    // Without the key, the codec cannot read it and says why.
    await expect(new RevelaPayloadCodec().decode([input!])).rejects.toThrow(
      /no REVELA_ENCRYPTION_KEY is configured/,
    );
  });
});
