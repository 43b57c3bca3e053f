import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import { revisionWorkflowId } from '../../model/ids.js';
import { sealRelease } from '../harness/history-checksums.js';
import { currentRelease, recording, recordingDir } from '../harness/histories.js';
import { startTestStack, type TestStack } from '../harness/stack.js';
import { GOOD, recordClosed, step } from './recording.js';

/**
 * Records a revision that runs KubeVela's built-in steps with inputs, outputs and `if` over inputs
 * (test/replay/replay-paths.ts). Runs only with `REVELA_RECORD=1`; an existing history is kept.
 */
describe.skipIf(!recording())('record KubeVela built-in step histories', () => {
  let stack: TestStack;
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => server?.close(resolve));
    if (existsSync(join(recordingDir(), currentRelease())))
      await sealRelease(currentRelease(), recordingDir());
  });

  it("KubeVela's built-in steps, inputs/outputs and if over inputs", async () => {
    const ref = { name: 'kvsteps', namespace: 'rec-kvsteps' };
    const app: Application = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: ref,
      spec: {
        components: [{ name: 'web', type: 'webservice', properties: { image: GOOD } }],
        workflow: {
          steps: [
            { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
            {
              name: 'settings',
              type: 'export2config',
              properties: { configName: 'kv', data: { status: 'ok' } },
            },
            {
              name: 'read',
              type: 'read-object',
              properties: { apiVersion: 'v1', kind: 'ConfigMap', name: 'kv', namespace: ref.namespace },
              outputs: [{ name: 'status', valueFrom: 'output.value.data.status' }],
            },
            {
              name: 'ask',
              type: 'request',
              properties: { url: `${url}/api` },
              outputs: [{ name: 'reply', valueFrom: '"answer " + response.answer' }],
            },
            {
              name: 'when-ok',
              type: 'print-message-in-status',
              if: 'inputs.status == "ok"',
              inputs: [{ from: 'status' }, { from: 'reply', parameterKey: 'message' }],
            },
            {
              name: 'when-bad',
              type: 'print-message-in-status',
              if: 'inputs.status == "bad"',
              inputs: [{ from: 'status' }],
              properties: { message: 'never' },
            },
            { name: 'runner', type: 'apply-deployment', properties: { image: GOOD } },
          ],
        },
      },
    };
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 120_000 })).status).toBe(
      'Succeeded',
    );
    const steps = (await stack.client.status(ref)).run?.steps;
    expect(step(steps, 'when-ok')).toMatchObject({ phase: 'succeeded', message: 'answer 42' });
    expect(step(steps, 'when-bad')?.phase).toBe('skipped');
    await recordClosed(
      stack.temporal.workflow.getHandle(revisionWorkflowId(ref.namespace, v1.revision)),
      'revision-kubevela-steps-io',
    );
  });
});
