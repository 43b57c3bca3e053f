import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { deployment } from './support/objects.js';

/**
 * Real kubectl against the run's real clusters: kubectl v1.34 built with them, plus a `kubectl`
 * on PATH when one is there within the supported version skew (one minor version either way).
 */

const execFileAsync = promisify(execFile);
const CLUSTER_MINOR = 34;

interface Kubectl {
  readonly label: string;
  /** Namespace of its own, so two kubectls do not see each other's objects. */
  readonly namespace: string;
  path(fixture: KubeFixture): string;
}

function kubectlOnPath(): Kubectl | undefined {
  try {
    const out = execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    const version = (JSON.parse(out) as { clientVersion: { gitVersion: string; minor: string } })
      .clientVersion;
    const minor = Number.parseInt(version.minor, 10);
    if (Math.abs(minor - CLUSTER_MINOR) > 1) {
      console.warn(`kubectl on PATH is ${version.gitVersion}, outside the skew kubectl supports: not tested`);
      return undefined;
    }
    return { label: `${version.gitVersion} (on PATH)`, namespace: 'examples-path', path: () => 'kubectl' };
  } catch {
    return undefined;
  }
}

const kubectls: Kubectl[] = [
  { label: 'v1.34 (built with the clusters)', namespace: 'examples', path: (f) => f.clusters.kubectl },
  ...[kubectlOnPath()].filter((k): k is Kubectl => k !== undefined),
];

function podinfo(namespace: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: ${namespace}
  labels:
    app.oam.dev/name: podinfo
spec:
  replicas: 3
  selector:
    matchLabels: {app: podinfo}
  template:
    metadata:
      labels: {app: podinfo}
    spec:
      containers:
        - name: podinfo
          image: stefanprodan/podinfo:6.5.0
          ports: [{containerPort: 9898}]
---
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  namespace: ${namespace}
spec:
  selector: {app: podinfo}
  ports: [{port: 9898}]
`;
}

/** `kubectl get` output → rows of cells keyed by column header. */
function table(stdout: string): Record<string, string>[] {
  const [header, ...lines] = stdout.trim().split('\n');
  const columns = (header ?? '').trim().split(/\s+/);
  return lines.map((line) => {
    const cells = line.trim().split(/\s+/);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
}

let fixture: KubeFixture;

beforeAll(async () => {
  fixture = await startKubeFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

describe.each(kubectls)('kubectl $label', (kubectl) => {
  const ns = kubectl.namespace;
  let home: string;
  let manifest: string;

  const run = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
    // Its own HOME and cache dir: kubectl caches discovery, which must not leak between servers.
    const flags = [
      '--kubeconfig',
      fixture.clusters.kubeconfigPath,
      '--cache-dir',
      join(home, 'cache'),
      ...args,
    ];
    try {
      return await execFileAsync(kubectl.path(fixture), flags, {
        env: { PATH: process.env.PATH ?? '', HOME: home },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      throw new Error(
        `kubectl ${args.join(' ')} failed (exit ${e.code ?? '?'}):\n${e.stderr ?? ''}${e.stdout ?? ''}`,
      );
    }
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'revela-kubectl-'));
    manifest = join(home, 'podinfo.yaml');
    await writeFile(manifest, podinfo(ns));
  });

  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('version reports the server as Kubernetes v1.34', async () => {
    const { stdout } = await run(['version', '-o', 'json']);
    const version = JSON.parse(stdout) as {
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(version.serverVersion).toMatchObject({ major: '1', minor: '34' });
  });

  it('get --raw /metrics shows the apiserver metrics', async () => {
    const { stdout } = await run(['get', '--raw', '/metrics']);
    expect(stdout).toMatch(/^# HELP apiserver_request_total /m);
    expect(stdout).toMatch(/^apiserver_request_total\{.*verb="GET".*\} \d+/m);
  });

  it('apply --server-side creates the namespace, Deployment and Service', async () => {
    const { stdout } = await run(['apply', '--server-side', '-f', manifest]);
    expect(stdout.trim().split('\n')).toEqual([
      `namespace/${ns} serverside-applied`,
      'deployment.apps/podinfo serverside-applied',
      'service/podinfo serverside-applied',
    ]);
    const stored = await fixture.clusters
      .client('local')
      .read({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: ns });
    const entries = stored?.metadata.managedFields as { manager: string; operation: string }[];
    expect(entries.filter((e) => e.operation === 'Apply').map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('get deploy prints the READY, UP-TO-DATE and AVAILABLE columns', async () => {
    const { stdout } = await run(['get', 'deploy', '-n', ns]);
    expect(stdout.split('\n')[0]?.split(/\s+/).filter(Boolean)).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
    ]);
    expect(table(stdout)[0]).toMatchObject({ NAME: 'podinfo' });
    expect(table(stdout)[0]?.READY).toMatch(/^[0-3]\/3$/);
  });

  it('rollout status waits until the rollout completes', async () => {
    const { stdout } = await run(['rollout', 'status', 'deployment/podinfo', '-n', ns, '--timeout=60s']);
    expect(stdout.trim().split('\n').at(-1)).toBe('deployment "podinfo" successfully rolled out');
    const { stdout: after } = await run(['get', 'deploy', 'podinfo', '-n', ns]);
    expect(table(after)[0]).toMatchObject({
      NAME: 'podinfo',
      READY: '3/3',
      'UP-TO-DATE': '3',
      AVAILABLE: '3',
    });
  });

  it('get -o yaml shows the stored object with its status', async () => {
    const { stdout } = await run(['get', 'deploy', 'podinfo', '-n', ns, '-o', 'yaml']);
    const object = parseYaml(stdout) as {
      kind: string;
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    expect(object.kind).toBe('Deployment');
    expect(object.metadata).toMatchObject({
      name: 'podinfo',
      namespace: ns,
      generation: 1,
      labels: { 'app.oam.dev/name': 'podinfo' },
    });
    expect(object.spec).toMatchObject({ replicas: 3, progressDeadlineSeconds: 600 });
    expect(object.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
  });

  it('get -o wide adds CONTAINERS, IMAGES and SELECTOR; services show their cluster IP', async () => {
    const { stdout } = await run(['get', 'deploy', '-n', ns, '-o', 'wide']);
    expect(table(stdout)[0]).toMatchObject({
      CONTAINERS: 'podinfo',
      IMAGES: 'stefanprodan/podinfo:6.5.0',
      SELECTOR: 'app=podinfo',
    });
    const { stdout: services } = await run(['get', 'svc', 'podinfo', '-n', ns]);
    const svc = await fixture.clusters
      .client('local')
      .read({ apiVersion: 'v1', kind: 'Service', name: 'podinfo', namespace: ns });
    expect(table(services)[0]?.['CLUSTER-IP']).toBe((svc?.spec as { clusterIP: string }).clusterIP);
  });

  it('create deployment, scale, and get pods by field selector', async () => {
    const created = await run([
      'create',
      'deployment',
      'hello',
      '-n',
      ns,
      '--image=nginx:1.27',
      '--replicas=2',
    ]);
    expect(created.stdout.trim()).toBe('deployment.apps/hello created');
    await run(['rollout', 'status', 'deployment/hello', '-n', ns, '--timeout=60s']);
    const scaled = await run(['scale', 'deployment/hello', '-n', ns, '--replicas=4']);
    expect(scaled.stdout.trim()).toBe('deployment.apps/hello scaled');
    const { stdout: rolled } = await run([
      'rollout',
      'status',
      'deployment/hello',
      '-n',
      ns,
      '--timeout=60s',
    ]);
    expect(rolled.trim().split('\n').at(-1)).toBe('deployment "hello" successfully rolled out');
    const { stdout: running } = await run([
      'get',
      'pods',
      '-n',
      ns,
      '-l',
      'app=hello',
      '--field-selector',
      'status.phase=Running',
      '-o',
      'name',
    ]);
    expect(running.trim().split('\n')).toHaveLength(4);
    expect(
      running
        .trim()
        .split('\n')
        .every((line) => line.startsWith('pod/hello-')),
    ).toBe(true);
    const { stdout: pending } = await run([
      'get',
      'pods',
      '-n',
      ns,
      '--field-selector',
      'status.phase=Pending',
      '-o',
      'name',
    ]);
    expect(pending.trim()).toBe('');
    const live = await fixture.clusters.deployment('local', ns, 'hello');
    expect(live).toMatchObject({ image: 'nginx:1.27', replicas: 4, readyReplicas: 4 });
  });

  it('sees what Revela applied, across namespaces and by label, on the context it names', async () => {
    const hangzhou = fixture.registry.client('hangzhou1');
    await hangzhou.ensureNamespace(`${ns}-team-a`);
    await hangzhou.apply(
      deployment('api', { namespace: `${ns}-team-a`, replicas: 1, labels: { 'app.oam.dev/name': 'api' } }),
    );
    const { stdout } = await run([
      '--context',
      'hangzhou1',
      'get',
      'deploy',
      '-A',
      '-l',
      'app.oam.dev/name=api',
    ]);
    expect(table(stdout).map((r) => `${r.NAMESPACE}/${r.NAME}`)).toEqual([`${ns}-team-a/api`]);
    const { stdout: local, stderr } = await run([
      '--context',
      'local',
      'get',
      'deploy',
      '-A',
      '-l',
      'app.oam.dev/name=api',
    ]);
    expect(local.trim()).toBe('');
    expect(stderr.trim()).toBe('No resources found');
  });

  it('apply --server-side by another manager reports the conflict', async () => {
    const scaled = join(home, 'scaled.yaml');
    await writeFile(scaled, podinfo(ns).split('---\n')[1]?.replace('replicas: 3', 'replicas: 5') ?? '');
    await expect(
      run(['apply', '--server-side', '--field-manager', 'ops-team', '-f', scaled]),
    ).rejects.toThrow(/conflict with "kubectl".*\.spec\.replicas/);
    const { stdout } = await run([
      'apply',
      '--server-side',
      '--field-manager',
      'ops-team',
      '--force-conflicts',
      '-f',
      scaled,
    ]);
    expect(stdout.trim()).toBe('deployment.apps/podinfo serverside-applied');
    expect((await fixture.clusters.deployment('local', ns, 'podinfo'))?.replicas).toBe(5);
  });

  it('delete removes the Deployment', async () => {
    const { stdout } = await run(['delete', 'deployment', 'podinfo', '-n', ns]);
    // kubectl v1.33+ names the namespace it deleted from.
    expect(stdout.trim()).toBe(`deployment.apps "podinfo" deleted from ${ns} namespace`);
    await expect(run(['get', 'deployment', 'podinfo', '-n', ns])).rejects.toThrow(
      /deployments.apps "podinfo" not found/,
    );
    expect(await fixture.clusters.deployment('local', ns, 'podinfo')).toBeUndefined();
  });
});
