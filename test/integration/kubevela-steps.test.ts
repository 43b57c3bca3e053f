import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../model/application.js';
import type { StepStatus } from '../../workflows/messages.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { startReceiver, type Receiver } from '../harness/http-receiver.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

const GOOD = 'stefanprodan/podinfo:6.0.1';

function step(steps: StepStatus[] | undefined, name: string): StepStatus | undefined {
  for (const s of steps ?? []) {
    if (s.name === name) return s;
    const sub = step(s.subSteps, name);
    if (sub) return sub;
  }
  return undefined;
}

function application(name: string, namespace: string, steps: unknown[], components?: unknown[]): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, namespace },
    spec: {
      components: (components ?? [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: GOOD, ports: [{ port: 9898, expose: true }] },
        },
      ]) as Application['spec']['components'],
      workflow: { steps: steps as NonNullable<Application['spec']['workflow']>['steps'] },
    },
  };
}

/**
 * KubeVela's built-in steps on real clusters with a real worker: objects they write, HTTP calls a
 * local receiver gets, outputs passed between steps and shown in the step status, `if` over inputs.
 */
describe("KubeVela's built-in workflow steps", () => {
  let stack: TestStack;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  const local = () => stack.clusters.direct.client('local');

  it('writes objects, calls HTTP endpoints and passes outputs between steps; if over inputs skips and runs steps', async () => {
    const ns = 'kv-io';
    const ref = { name: 'io', namespace: ns };
    const app = application('io', ns, [
      { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      {
        name: 'settings',
        type: 'export2config',
        properties: { configName: 'io-settings', data: { greeting: 'hello', status: 'ok' } },
      },
      {
        name: 'read-settings',
        type: 'read-object',
        properties: { apiVersion: 'v1', kind: 'ConfigMap', name: 'io-settings', namespace: ns },
        outputs: [
          { name: 'status', valueFrom: 'output.value.data.status' },
          { name: 'greeting', valueFrom: 'output.value.data.greeting + " world"' },
        ],
      },
      {
        name: 'ask',
        type: 'request',
        properties: { url: `${receiver.url}/api`, method: 'POST', body: { q: 1 } },
        inputs: [{ from: 'greeting', parameterKey: 'body.greeting' }],
        outputs: [
          { name: 'answer', valueFrom: 'response.answer' },
          { name: 'reply', valueFrom: '"the answer is " + response.answer' },
        ],
      },
      {
        name: 'tell-slack',
        type: 'notification',
        properties: { slack: { url: { value: `${receiver.url}/slack` }, message: { text: 'placeholder' } } },
        inputs: [{ from: 'greeting', parameterKey: 'slack.message.text' }],
      },
      { name: 'hook', type: 'webhook', properties: { url: { value: `${receiver.url}/hook` } } },
      {
        name: 'when-ok',
        type: 'print-message-in-status',
        if: 'inputs.status == "ok"',
        inputs: [{ from: 'status' }],
        properties: { message: 'placeholder' },
      },
      {
        name: 'when-bad',
        type: 'print-message-in-status',
        if: 'inputs.status == "bad"',
        inputs: [{ from: 'status' }],
        properties: { message: 'never shown' },
      },
      {
        name: 'obj',
        type: 'apply-object',
        properties: {
          value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'io-raw' }, data: { k: 'v' } },
        },
      },
      {
        name: 'creds',
        type: 'export2secret',
        properties: { secretName: 'io-creds', data: { token: 't0k' } },
      },
      {
        name: 'svc',
        type: 'export-service',
        properties: { name: 'io-ext', ip: '10.0.0.9', port: 80, targetPort: 8080 },
      },
      { name: 'data', type: 'export-data', properties: { name: 'io-data', data: { region: 'local' } } },
      { name: 'runner', type: 'apply-deployment', properties: { image: GOOD, replicas: 2 } },
      {
        name: 'endpoints',
        type: 'collect-service-endpoints',
        properties: { components: ['web'] },
        outputs: [{ name: 'url', valueFrom: 'value.url' }],
      },
    ]);
    // The message of when-ok comes from an input too: the answer the request step got.
    (app.spec.workflow?.steps?.[6]?.inputs ?? []).push({ from: 'reply', parameterKey: 'message' });

    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    const done = await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 120_000 });
    const status = await stack.client.status(ref);
    expect(done.status, JSON.stringify(status.run?.steps, null, 1)).toBe('Succeeded');
    const steps = status.run?.steps;

    // Outputs are recorded in the step status, where `revela status` and the Temporal UI show them.
    expect(step(steps, 'read-settings')?.outputs).toEqual({ status: 'ok', greeting: 'hello world' });
    expect(step(steps, 'ask')?.outputs).toEqual({ answer: 42, reply: 'the answer is 42' });
    expect(step(steps, 'endpoints')?.outputs).toEqual({ url: `http://web.${ns}:9898` });
    expect(step(steps, 'when-ok')).toMatchObject({ phase: 'succeeded', message: 'the answer is 42' });
    expect(step(steps, 'when-bad')).toMatchObject({ phase: 'skipped', reason: 'Skip' });

    // The receiver got the request with the input written in, the Slack payload and the application.
    const at = (path: string) => receiver.received.filter((r) => r.path === path);
    expect(at('/api')).toEqual([{ path: '/api', method: 'POST', body: { q: 1, greeting: 'hello world' } }]);
    expect(at('/slack').map((r) => r.body)).toEqual([{ text: 'hello world', mrkdwn: true }]);
    expect(at('/hook')[0]?.body).toMatchObject({
      kind: 'Application',
      metadata: { name: 'io', namespace: ns },
    });

    // The objects are in the cluster, labelled as the application's own.
    const read = (apiVersion: string, kind: string, name: string) =>
      local().read({ apiVersion, kind, namespace: ns, name });
    expect((await read('v1', 'ConfigMap', 'io-settings'))?.data).toEqual({ greeting: 'hello', status: 'ok' });
    expect((await read('v1', 'ConfigMap', 'io-raw'))?.metadata.labels).toMatchObject({
      'app.oam.dev/name': 'io',
      'app.oam.dev/namespace': ns,
      'workflow.oam.dev/step-name': 'obj',
    });
    const secret = await read('v1', 'Secret', 'io-creds');
    expect(Buffer.from(String((secret?.data as Record<string, string>).token), 'base64').toString()).toBe(
      't0k',
    );
    expect((await read('v1', 'Endpoints', 'io-ext'))?.subsets).toEqual([
      { addresses: [{ ip: '10.0.0.9' }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
    expect((await read('v1', 'ConfigMap', 'io-data'))?.data).toEqual({ region: 'local' });
    const runner = await deploymentIn(stack.clusters, 'local', ns, 'runner');
    expect(runner?.image).toBe(GOOD);
    expect(step(steps, 'runner')?.message).toBe('Ready 2/2');
  });

  it('a bad parameter is refused at publish with the object and path; nothing is recorded', async () => {
    const ref = { name: 'bad', namespace: 'kv-bad' };
    const app = application('bad', 'kv-bad', [
      { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      { name: 'ask', type: 'request', properties: { url: 42 } },
    ]);
    const refused: unknown = await stack.client
      .publish({ app, publishVersion: 'v1' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ type: 'InvalidParameters' });
    expect((refused as Error).message).toContain(
      'Application kv-bad/bad: spec.workflow.steps[1].properties.url: must be string',
    );
    // Nothing was recorded: not even the application entity exists.
    await expect(stack.client.listRevisions(ref)).rejects.toThrow(`application kv-bad/bad not found`);
  });

  it('an HTTP error and check-metrics without a metrics source fail their step with a clear message', async () => {
    const ref = { name: 'fails', namespace: 'kv-fail' };
    const app = application('fails', 'kv-fail', [
      {
        name: 'denied',
        type: 'webhook',
        properties: { url: { value: `${receiver.url}/fail` }, data: { a: 1 } },
      },
      { name: 'metrics', type: 'check-metrics', if: 'always', properties: { query: 'up', condition: '>=1' } },
    ]);
    const v1 = await stack.client.publish({ app, publishVersion: 'v1' });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Failed',
    );
    const steps = (await stack.client.status(ref)).run?.steps;
    expect(step(steps, 'denied')?.message).toMatch(
      /^webhook: POST http:\/\/127\.0\.0\.1:\d+\/… answered 403: nope$/,
    );
    expect(step(steps, 'metrics')?.message).toMatch(/^check-metrics: no metrics source configured/);
  });

  it('depends-on-app waits until the other application exists and runs', async () => {
    const ns = 'kv-deps';
    const front = { name: 'front', namespace: ns };
    const v1 = await stack.client.publish({
      app: application('front', ns, [
        { name: 'wait-db', type: 'depends-on-app', properties: { name: 'db', namespace: ns } },
        { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      ]),
      publishVersion: 'v1',
    });
    await eventually('front to wait for db', async () => {
      const s = await stack.client.status(front);
      return step(s.run?.steps, 'wait-db')?.phase === 'running' ? s : undefined;
    });
    expect(await deploymentIn(stack.clusters, 'local', ns, 'web')).toBeUndefined();
    await stack.client.publish({
      app: application(
        'db',
        ns,
        [{ name: 'apply-db', type: 'apply-component', properties: { component: 'db' } }],
        [{ name: 'db', type: 'worker', properties: { image: GOOD } }],
      ),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(front, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    expect(step((await stack.client.status(front)).run?.steps, 'wait-db')?.message).toBe(
      `application ${ns}/db is running (db-v1)`,
    );
  });

  it("clean-jobs deletes finished Jobs this application owns and leaves another application's", async () => {
    const ns = 'kv-jobs';
    const ref = { name: 'jobs', namespace: ns };
    const job = (name: string) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, labels: { 'job-kind': 'migration' } },
      // Failed by the job controller after a second: a finished Job without waiting for pods.
      spec: {
        activeDeadlineSeconds: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox:1.36' }] } },
      },
    });
    const v1 = await stack.client.publish({
      app: application('jobs', ns, [
        { name: 'migrate', type: 'apply-object', properties: { value: job('migrate') } },
        { name: 'hold', type: 'suspend' },
        { name: 'clean', type: 'clean-jobs', properties: { labelselector: { 'job-kind': 'migration' } } },
      ]),
      publishVersion: 'v1',
    });
    // Another application's Job with the same label, finished too.
    const foreign = job('foreign');
    await local().ensureNamespace(ns);
    await local().apply({
      ...foreign,
      metadata: {
        ...foreign.metadata,
        namespace: ns,
        labels: { ...foreign.metadata.labels, 'app.oam.dev/name': 'other', 'app.oam.dev/namespace': ns },
      },
    });
    const finished = (name: string) =>
      eventually(`Job ${name} to finish`, async () => {
        const live = await local().read({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name });
        const conditions = (live?.status as { conditions?: { type: string; status: string }[] } | undefined)
          ?.conditions;
        return conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? live : undefined;
      });
    await eventually('the hold step', async () => {
      const s = await stack.client.status(ref);
      return step(s.run?.steps, 'hold')?.phase === 'suspending' ? s : undefined;
    });
    await finished('migrate');
    await finished('foreign');
    await stack.client.resume(ref);
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    const jobs = await local().list({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns });
    expect(jobs.map((j) => j.metadata.name)).toEqual(['foreign']);
    expect(step((await stack.client.status(ref)).run?.steps, 'clean')?.message).toMatch(
      /^deleted Job\/migrate; left Job\/foreign \(not owned by kv-jobs\/jobs\)/,
    );
  });

  it('restart-workflow runs the workflow again at the time; a newer revision cancels the schedule', async () => {
    const ns = 'kv-restart';
    const ref = { name: 'again', namespace: ns };
    const at = new Date(Date.now() + 10_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const v1 = await stack.client.publish({
      app: application('again', ns, [
        { name: 'restart', type: 'restart-workflow', properties: { at } },
        { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      ]),
      publishVersion: 'v1',
    });
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    const restarted = await eventually(
      'the entity to restart again-v1 at the time',
      async () => {
        const s = await stack.client.status(ref);
        return s.app.audit.some((a) => a.action === 'restart' && a.revision === v1.revision) ? s : undefined;
      },
      { timeoutMs: 40_000 },
    );
    const restartedAt = restarted.app.audit.find((a) => a.action === 'restart')?.time ?? '';
    expect(Date.parse(restartedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    // The restarted run runs the step again: the time has passed, so it schedules nothing more.
    expect((await stack.client.waitForRevision(ref, v1.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    await eventually('the re-run to finish its restart step', async () => {
      const message = step((await stack.client.status(ref)).run?.steps, 'restart')?.message ?? '';
      return message === `restart time ${at.replace('Z', '.000Z')} has passed: no restart scheduled`
        ? true
        : undefined;
    });

    // A schedule whose revision is no longer current restarts nothing.
    // (Its own namespace: its Deployment web would be again's, and refused as another app's.)
    const lns = 'kv-restart-later';
    const other = { name: 'later', namespace: lns };
    const soon = new Date(Date.now() + 8_000).toISOString();
    const l1 = await stack.client.publish({
      app: application('later', lns, [
        { name: 'restart', type: 'restart-workflow', properties: { at: soon } },
        { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      ]),
      publishVersion: 'v1',
    });
    await eventually('later-v1 to schedule its restart', async () => {
      const s = await stack.client.status(other);
      return step(s.run?.steps, 'restart')?.phase === 'succeeded' ? s : undefined;
    });
    const l2 = await stack.client.publish({
      app: application('later', lns, [
        { name: 'apply-web', type: 'apply-component', properties: { component: 'web' } },
      ]),
      publishVersion: 'v2',
    });
    const result = await eventually(
      "later-v1's restart timer to fire",
      async () => {
        for await (const w of stack.temporal.workflow.list({ query: 'WorkflowType = "restartTimer"' })) {
          if (!w.workflowId.startsWith(`restart/${lns}/${l1.revision}/`)) continue;
          if (w.status.name === 'RUNNING') return undefined;
          return String(await stack.temporal.workflow.getHandle(w.workflowId, w.runId).result());
        }
        return undefined;
      },
      { timeoutMs: 40_000 },
    );
    expect(result).toBe(`not restarted: ${l2.revision} is current now, not ${l1.revision}`);
    expect((await stack.client.waitForRevision(other, l2.revision, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
  });
});
