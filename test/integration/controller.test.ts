import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRD_KINDS, crdName, customResourceDefinition } from '../../controller/crds.js';
import { applicationWorkflowId } from '../../model/ids.js';
import { startControllerProcess, type ControllerProcess } from '../harness/controller-process.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

/**
 * The Kubernetes front door against the real thing: the leased `local` cluster is the hub (the
 * CRDs installed by `revela controller --install-crds`), the controller a real child process, the
 * podinfo scenario driven only with kubectl apply / annotate / get; Temporal and the hangzhou
 * clusters are the run's real ones. Revela itself is only asked to roll back, as `revela rollback`.
 */

const execFileAsync = promisify(execFile);
const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;
const DEPLOY = new URL('../../deploy/kubernetes/', import.meta.url).pathname;
const PODINFO = { name: 'podinfo', namespace: 'examples' };
const OAM_KINDS = ['applications', 'policies', 'workflows'];

interface AppObject {
  metadata: { generation?: number; finalizers?: string[] };
  status?: {
    status?: string;
    observedGeneration?: number;
    latestRevision?: { name: string; revision: number; revisionHash: string };
    currentRevision?: { name: string; status: string; publishVersion?: string; hash: string };
    services?: { name: string; cluster: string; healthy: boolean; message: string }[];
    workflow?: {
      appRevision: string;
      waiting?: string[];
      steps: { name: string; phase: string; message?: string }[];
    };
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

interface RevisionObject {
  metadata: { name: string };
  spec: { publishVersion?: string; hash: string; status: string; succeeded: boolean; number: number };
}

describe('revela controller: kubectl apply, annotate and get', () => {
  let stack: TestStack;
  let controller: ControllerProcess | undefined;
  let appYaml: string;
  /** A kubeconfig of the hub as the controller's ServiceAccount: only deploy/kubernetes/controller-rbac.yaml's rights. */
  let hubKubeconfig: string;
  let dir: string;

  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const child = execFileAsync(stack.clusters.kubectl, ['--context', 'local', ...args], {
      env: stack.clusters.kubectlEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  };
  const apply = (yaml: string) => kubectl(['apply', '-f', '-'], yaml);
  const app = async (name = 'podinfo'): Promise<AppObject> =>
    JSON.parse(await kubectl(['get', 'app', name, '-n', 'examples', '-o', 'json'])) as AppObject;
  const revisions = async (): Promise<RevisionObject[]> =>
    (
      JSON.parse(await kubectl(['get', 'apprev', '-n', 'examples', '-o', 'json'])) as {
        items: RevisionObject[];
      }
    ).items.sort((a, b) => a.spec.number - b.spec.number);
  const describeApp = async () =>
    `${JSON.stringify((await app().catch(() => undefined))?.status ?? {}).slice(0, 1500)}\ncontroller:\n${(controller?.lines ?? []).slice(-15).join('\n')}`;
  const condition = (o: AppObject, type: string) => o.status?.conditions?.find((c) => c.type === type);

  const startController = () =>
    startControllerProcess(
      {
        ...stack.env,
        REVELA_HUB_KUBECONFIG: hubKubeconfig,
        REVELA_HUB_CONTEXT: 'local',
        REVELA_CONTROLLER_DEBUG: '1',
      },
      ['--lease-duration', '3s', '--resync', '1s'],
    );

  beforeAll(async () => {
    stack = await startTestStack();
    await apply(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: revela-system}\n---\n' +
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: examples}\n',
    );
    appYaml = await readFile(`${EXAMPLE}app.yaml`, 'utf8');
    // As an administrator would: the committed CRDs and RBAC, then the controller as its account.
    await kubectl(['apply', '-k', `${DEPLOY}crds`]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=revela',
    ]);
    await kubectl(['apply', '-f', `${DEPLOY}controller-rbac.yaml`]);
    const token = (
      await kubectl(['create', 'token', 'revela-controller', '-n', 'revela-system', '--duration=2h'])
    ).trim();
    const admin = parseYaml(await readFile(stack.clusters.kubeconfigPath, 'utf8')) as {
      clusters: { name: string }[];
      contexts: { name: string; context: { cluster: string } }[];
    };
    const clusterName = admin.contexts.find((c) => c.name === 'local')?.context.cluster;
    dir = await mkdtemp(join(tmpdir(), 'revela-hub-'));
    hubKubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      hubKubeconfig,
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: admin.clusters.filter((c) => c.name === clusterName),
        users: [{ name: 'revela-controller', user: { token } }],
        contexts: [{ name: 'local', context: { cluster: clusterName, user: 'revela-controller' } }],
        'current-context': 'local',
      }),
      { mode: 0o600 },
    );
    controller = await startController();
  });

  afterAll(async () => {
    if (stack) {
      // Objects with Revela's finalizer would keep the namespace (and the next lease) waiting.
      await kubectl(['delete', 'app', '--all', '-n', 'examples', '--timeout=60s']).catch(() => undefined);
      await controller?.kill('SIGTERM');
      for (const kind of OAM_KINDS) {
        const names = await kubectl(['get', kind, '-n', 'examples', '-o', 'name']).catch(() => '');
        for (const name of names.split('\n').filter(Boolean)) {
          await kubectl([
            'patch',
            name,
            '-n',
            'examples',
            '--type=merge',
            '-p',
            '{"metadata":{"finalizers":null}}',
          ]).catch(() => undefined);
        }
      }
    }
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the committed CRDs install as generated from the zod schemas: kubectl knows app and apprev', async () => {
    for (const kind of CRD_KINDS) {
      const installed = JSON.parse(await kubectl(['get', 'crd', crdName(kind), '-o', 'json'])) as {
        spec: { versions: { schema: unknown; additionalPrinterColumns: unknown }[] };
      };
      const generated = customResourceDefinition(kind) as typeof installed;
      expect(installed.spec.versions[0]?.schema, kind.kind).toEqual(generated.spec.versions[0]?.schema);
    }
    const resources = await kubectl(['api-resources', '--api-group', 'core.oam.dev', '-o', 'name']);
    expect(resources.split('\n').filter(Boolean).sort()).toEqual([
      'applicationrevisions.core.oam.dev',
      'applications.core.oam.dev',
      'componentdefinitions.core.oam.dev',
      'policies.core.oam.dev',
      'policydefinitions.core.oam.dev',
      'traitdefinitions.core.oam.dev',
      'workflows.core.oam.dev',
      'workflowstepdefinitions.core.oam.dev',
    ]);
  });

  it('kubectl apply of podinfo publishes podinfo-v1; status and the apprev come back to the hub', async () => {
    await kubectl([
      'apply',
      '-f',
      `${EXAMPLE}policies.yaml`,
      '-f',
      `${EXAMPLE}workflow.yaml`,
      '-f',
      `${EXAMPLE}app.yaml`,
    ]);
    const running = await eventually(
      'podinfo to run podinfo-v1 with healthy services',
      async () => {
        const o = await app();
        return o.status?.status === 'running' &&
          o.status.currentRevision?.name === 'podinfo-v1' &&
          (o.status.services ?? []).length === 2 &&
          o.status.services?.every((s) => s.healthy)
          ? o
          : undefined;
      },
      { timeoutMs: 90_000, describe: describeApp },
    );
    expect(running.metadata.finalizers).toContain('core.oam.dev/revela-controller');
    expect(running.status?.services?.map((s) => `${s.cluster}:${s.message}`).sort()).toEqual([
      'hangzhou1:Ready:3/3',
      'hangzhou2:Ready:3/3',
    ]);
    const [v1] = await eventually('apprev podinfo-v1 Succeeded', async () => {
      const r = await revisions();
      return r[0]?.spec.status === 'Succeeded' ? r : undefined;
    });
    expect(v1?.spec).toMatchObject({ publishVersion: 'alpha1', succeeded: true });
    expect(v1?.spec.hash).toMatch(/^[0-9a-f]{16}$/);

    const table = await kubectl(['get', 'app,apprev', '-n', 'examples']);
    expect(table).toMatch(/NAME\s+COMPONENT\s+TYPE\s+PHASE\s+HEALTHY\s+STATUS\s+AGE/);
    expect(table).toMatch(
      /application\.core\.oam\.dev\/podinfo\s+podinfo\s+webservice\s+running\s+true\s+Ready:3\/3\s+\d+s/,
    );
    expect(table).toMatch(/NAME\s+PUBLISH_VERSION\s+SUCCEEDED\s+HASH\s+BEGIN_TIME\s+STATUS\s+SIZE/);
    expect(table).toMatch(
      /podinfo-v1\s+alpha1\s+true\s+[0-9a-f]{16}\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+Succeeded\s+[\d.]+ KiB/,
    );
  });

  it('an image edit under alpha1 only saves the draft; annotating alpha2 publishes v2, stuck and visible in .status', async () => {
    await apply(appYaml.replace('stefanprodan/podinfo:6.0.1', 'stefanprodan/podinfo:6.0.xxx'));
    await eventually(
      'the edit to be saved as the draft',
      async () => {
        const o = await app();
        const synced = condition(o, 'Synced');
        return o.status?.observedGeneration === o.metadata.generation && synced?.status === 'True'
          ? o
          : undefined;
      },
      { describe: describeApp },
    );
    expect((await revisions()).map((r) => r.metadata.name)).toEqual(['podinfo-v1']);
    const draft = (await stack.client.status(PODINFO)).app.draft;
    expect(JSON.stringify(draft)).toContain('6.0.xxx');

    await kubectl([
      'annotate',
      'app',
      'podinfo',
      '-n',
      'examples',
      'app.oam.dev/publishVersion=alpha2',
      '--overwrite',
    ]);
    const stuck = await eventually(
      'podinfo-v2 to wait for health with the reason in .status',
      async () => {
        const o = await app();
        return o.status?.currentRevision?.name === 'podinfo-v2' &&
          o.status.status === 'runningWorkflow' &&
          // both clusters' health waits run at once; each names itself from its first look on
          ['hangzhou1/', 'hangzhou2/'].every((c) =>
            (o.status?.workflow?.waiting ?? []).some((w) => w.startsWith(c)),
          )
          ? o
          : undefined;
      },
      { timeoutMs: 60_000, describe: describeApp },
    );
    expect(stuck.status?.workflow?.steps[0]).toMatchObject({ name: 'deploy-hangzhou', phase: 'running' });
    expect([...(stuck.status?.workflow?.waiting ?? [])].sort()).toEqual([
      expect.stringMatching(/^hangzhou1\/examples\/podinfo is not healthy/),
      expect.stringMatching(/^hangzhou2\/examples\/podinfo is not healthy/),
    ]);
    expect(condition(stuck, 'Ready')).toMatchObject({ status: 'False', reason: 'runningWorkflow' });
    const r = await eventually('apprev podinfo-v2 Executing', async () => {
      const list = await revisions();
      return list[1]?.spec.status === 'Executing' ? list : undefined;
    });
    expect(r.map((x) => [x.metadata.name, x.spec.publishVersion, x.spec.succeeded])).toEqual([
      ['podinfo-v1', 'alpha1', true],
      ['podinfo-v2', 'alpha2', false],
    ]);
  });

  it('a rollback through the client (revela rollback) is reflected back in .status and apprev', async () => {
    const result = await stack.client.rollback(PODINFO);
    expect(result).toMatchObject({ from: 'podinfo-v2', to: 'podinfo-v1' });
    const back = await eventually(
      'podinfo to be running podinfo-v1 again',
      async () => {
        const o = await app();
        return o.status?.currentRevision?.name === 'podinfo-v1' && o.status.status === 'running'
          ? o
          : undefined;
      },
      { describe: describeApp },
    );
    expect(back.status?.services?.every((s) => s.healthy)).toBe(true);
    await eventually('apprev podinfo-v2 RolledBack', async () =>
      (await revisions())[1]?.spec.status === 'RolledBack' ? true : undefined,
    );
    // The object still says alpha2: a re-sync must not publish it a second time.
    const held = await eventually('the controller to say alpha2 is not published again', async () => {
      const c = condition(await app(), 'Synced');
      return c?.reason === 'PublishVersionAlreadyUsed' || c?.reason === 'InSync' ? c : undefined;
    });
    expect(held.status).toBeDefined();
    expect((await revisions()).length).toBe(2);
  });

  it('a SIGKILLed controller, restarted, misses the change made meanwhile and publishes nothing twice; re-publish keeps the hash', async () => {
    await controller?.kill('SIGKILL');
    controller = undefined;
    // While it is down: back to 6.0.1 under beta1 — a re-publish of podinfo-v1's content.
    await apply(appYaml.replace('publishVersion: alpha1', 'publishVersion: beta1'));
    expect((await stack.client.listRevisions(PODINFO)).length).toBe(2);

    controller = await startController();
    const republished = await eventually(
      'podinfo-v3 (beta1) to succeed',
      async () => {
        const r = await revisions();
        return r[2]?.spec.status === 'Succeeded' ? r : undefined;
      },
      { timeoutMs: 90_000, describe: describeApp },
    );
    expect(republished.map((r) => r.spec.publishVersion)).toEqual(['alpha1', 'alpha2', 'beta1']);
    expect(republished[2]?.spec.hash).toBe(republished[0]?.spec.hash);

    // Another hard kill with nothing changed: the new leader syncs podinfo and publishes nothing.
    const killed = (controller.lines.find((l) => l.includes(': leading;')) ?? '').match(
      /controller (\S+): leading/,
    )?.[1];
    await controller.kill('SIGKILL');
    controller = await startController();
    // The Lease of a killed leader is taken over only once it expired: never two leaders at once.
    const takeover = await controller.waitForLine('took lease revela-system/revela-controller over from');
    expect(takeover).toContain(`over from ${killed}`);
    expect(Number(takeover.match(/last renewed (\d+) ms ago/)?.[1])).toBeGreaterThan(3000);
    await controller.waitForLine('Application examples/podinfo: InSync').catch((err: Error) => {
      throw new Error(`${err.message}\nall lines:\n${controller?.lines.join('\n')}`);
    });
    const entity = await stack.client.listRevisions(PODINFO);
    expect(entity.map((r) => `${r.name}:${r.publishVersion}`)).toEqual([
      'podinfo-v1:alpha1',
      'podinfo-v2:alpha2',
      'podinfo-v3:beta1',
    ]);
  });

  it('an Application with an unknown trait gets the typed error in its condition and an Event; nothing is recorded; the fix publishes', async () => {
    const broken = `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: broken
  namespace: examples
spec:
  components:
    - name: web
      type: webservice
      properties:
        image: nginx:1.27
      traits:
        - type: no-such-trait
`;
    await apply(broken);
    const refused = await eventually('the Synced condition to carry the error', async () => {
      const c = condition(await app('broken'), 'Synced');
      return c?.status === 'False' ? c : undefined;
    });
    expect(refused.reason).toBe('UnknownDefinition');
    expect(refused.message).toContain('no-such-trait');
    const events = await eventually('a Warning Event on the object', async () => {
      const list = JSON.parse(
        await kubectl([
          'get',
          'events',
          '-n',
          'examples',
          '--field-selector',
          'involvedObject.name=broken',
          '-o',
          'json',
        ]),
      ) as { items: { type: string; reason: string; message: string }[] };
      return list.items.find((e) => e.reason === 'UnknownDefinition');
    });
    expect(events).toMatchObject({ type: 'Warning' });
    expect(events.message).toContain('no-such-trait');
    await expect(stack.client.listRevisions({ name: 'broken', namespace: 'examples' })).rejects.toMatchObject(
      {
        name: 'NotFoundError',
      },
    );

    await apply(broken.replace(/\n {6}traits:\n {8}- type: no-such-trait\n/, '\n'));
    await eventually(
      'the fixed object to publish broken-v1',
      async () => {
        const o = await app('broken');
        return o.status?.latestRevision?.name === 'broken-v1' && condition(o, 'Synced')?.status === 'True'
          ? o
          : undefined;
      },
      { describe: async () => JSON.stringify((await app('broken')).status) },
    );
  });

  it('kubectl delete of the Application deletes the application behind the finalizer: objects collected, entity closed', async () => {
    await kubectl(['delete', 'app', 'podinfo', '-n', 'examples', '--timeout=90s']);
    for (const cluster of ['hangzhou1', 'hangzhou2']) {
      expect(await stack.clusters.deployment(cluster, 'examples', 'podinfo')).toBeUndefined();
    }
    const description = await stack.temporal.workflow
      .getHandle(applicationWorkflowId('examples', 'podinfo'))
      .describe();
    expect(description.status.name).toBe('COMPLETED');
    await eventually('the apprev mirrors to be garbage-collected', async () =>
      (await revisions()).every((r) => !r.metadata.name.startsWith('podinfo-')) ? true : undefined,
    );
  });
});
