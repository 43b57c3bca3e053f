import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findKubectls, KUBECTL_PACKAGE, type KubectlBinary } from '../../cluster-sim/kubectl.js';
import { startSimulator, type Simulator } from '../../cluster-sim/simulator.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { deployment } from './support/objects.js';

/**
 * Real kubectl against the simulator: every kubectl the project can get (v1.33 from the npm
 * package, plus whatever `kubectl` is on PATH when its version differs).
 */

const execFileAsync = promisify(execFile);

const binaries: KubectlBinary[] = await findKubectls({ log: (line) => console.warn(line) });

if (binaries.length === 0) {
  const banner = [
    '',
    '!'.repeat(78),
    `!! NO KUBECTL: the kubectl tests cannot run. Provisioning ${KUBECTL_PACKAGE} with npm pack failed`,
    '!! and no kubectl is on PATH. Install one (apt-get install kubernetes-client), set REVELA_KUBECTL,',
    '!! or set REVELA_SKIP_KUBECTL=1 to skip these tests on purpose.',
    '!'.repeat(78),
    '',
  ].join('\n');
  console.warn(banner);
  if (process.env.REVELA_SKIP_KUBECTL === '1') {
    it.skip(`kubectl against the simulator — SKIPPED: no kubectl available and REVELA_SKIP_KUBECTL=1`, () =>
      undefined);
  } else {
    it('finds a kubectl to run against the simulator', () => {
      throw new Error(
        `no kubectl available: npm pack ${KUBECTL_PACKAGE} failed and none is on PATH (set REVELA_SKIP_KUBECTL=1 to skip on purpose)`,
      );
    });
  }
}

const PODINFO = `apiVersion: v1
kind: Namespace
metadata:
  name: examples
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: examples
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
  namespace: examples
spec:
  selector: {app: podinfo}
  ports: [{port: 9898}]
`;

/** `kubectl get` output → rows of cells keyed by column header. */
function table(stdout: string): Record<string, string>[] {
  const [header, ...lines] = stdout.trim().split('\n');
  const columns = (header ?? '').trim().split(/\s{2,}|\s(?=[A-Z])/);
  return lines.map((line) => {
    const cells = line.trim().split(/\s+/);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
}

describe.each(binaries)('kubectl $version (from $source)', (kubectl) => {
  let sim: Simulator;
  let home: string;
  let kubeconfigPath: string;
  let manifest: string;

  const run = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
    // Its own HOME and cache dir: kubectl caches discovery, which must not leak between servers.
    const flags = ['--kubeconfig', kubeconfigPath, '--cache-dir', join(home, 'cache'), ...args];
    try {
      return await execFileAsync(kubectl.path, flags, {
        env: { PATH: process.env.PATH ?? '', HOME: home },
        timeout: 30_000,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      throw new Error(
        `kubectl ${args.join(' ')} failed (exit ${e.code ?? '?'}):\n${e.stderr ?? ''}${e.stdout ?? ''}`,
      );
    }
  };
  const validate = kubectl.needsValidateFalse ? ['--validate=false'] : [];

  beforeAll(async () => {
    sim = await startSimulator({
      clusters: [{ name: 'local' }, { name: 'hangzhou1', labels: { region: 'hangzhou' } }],
      rolloutDurationMs: 300,
    });
    home = await mkdtemp(join(tmpdir(), 'revela-kubectl-'));
    ({ kubeconfigPath } = await sim.writeFiles(home));
    manifest = join(home, 'podinfo.yaml');
    await writeFile(manifest, PODINFO);
  });

  afterAll(async () => {
    await sim?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('apply --server-side creates the namespace, Deployment and Service', async () => {
    const { stdout } = await run(['apply', '--server-side', ...validate, '-f', manifest]);
    expect(stdout.trim().split('\n')).toEqual([
      'namespace/examples serverside-applied',
      'deployment.apps/podinfo serverside-applied',
      'service/podinfo serverside-applied',
    ]);
    const stored = sim.objects('local').find((o) => o.kind === 'Deployment' && o.metadata.name === 'podinfo');
    expect((stored?.metadata.managedFields as { manager: string; operation: string }[])[0]).toMatchObject({
      manager: 'kubectl',
      operation: 'Apply',
    });
  });

  it('get deploy prints the READY, UP-TO-DATE and AVAILABLE columns', async () => {
    const { stdout } = await run(['get', 'deploy', '-n', 'examples']);
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
    const { stdout } = await run([
      'rollout',
      'status',
      'deployment/podinfo',
      '-n',
      'examples',
      '--timeout=20s',
    ]);
    expect(stdout.trim().split('\n').at(-1)).toBe('deployment "podinfo" successfully rolled out');
    const { stdout: after } = await run(['get', 'deploy', 'podinfo', '-n', 'examples']);
    expect(table(after)[0]).toMatchObject({
      NAME: 'podinfo',
      READY: '3/3',
      'UP-TO-DATE': '3',
      AVAILABLE: '3',
    });
  });

  it('get -o yaml shows the stored object with its status', async () => {
    const { stdout } = await run(['get', 'deploy', 'podinfo', '-n', 'examples', '-o', 'yaml']);
    const object = parseYaml(stdout) as {
      kind: string;
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    expect(object.kind).toBe('Deployment');
    expect(object.metadata).toMatchObject({
      name: 'podinfo',
      namespace: 'examples',
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
    const { stdout } = await run(['get', 'deploy', '-n', 'examples', '-o', 'wide']);
    expect(table(stdout)[0]).toMatchObject({
      CONTAINERS: 'podinfo',
      IMAGES: 'stefanprodan/podinfo:6.5.0',
      SELECTOR: 'app=podinfo',
    });
    const { stdout: services } = await run(['get', 'svc', '-n', 'examples']);
    expect(table(services)[0]?.['CLUSTER-IP']).toMatch(/^10\.96\./);
  });

  it('sees what Revela applied, across namespaces and by label, on the context it names', async () => {
    const registry = await ClusterRegistry.load({ kubeconfigText: sim.kubeconfigText() });
    const hangzhou = registry.client('hangzhou1');
    await hangzhou.ensureNamespace('team-a');
    await hangzhou.apply(
      deployment('api', { namespace: 'team-a', replicas: 1, labels: { 'app.oam.dev/name': 'api' } }),
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
    expect(table(stdout).map((r) => `${r.NAMESPACE}/${r.NAME}`)).toEqual(['team-a/api']);
    const { stdout: local } = await run([
      '--context',
      'local',
      'get',
      'deploy',
      '-A',
      '-l',
      'app.oam.dev/name=api',
    ]);
    expect(local.trim()).toBe('');
  });

  it('apply --server-side by another manager reports the conflict', async () => {
    const scaled = join(home, 'scaled.yaml');
    await writeFile(scaled, PODINFO.split('---\n')[1]?.replace('replicas: 3', 'replicas: 5') ?? '');
    await expect(
      run(['apply', '--server-side', ...validate, '--field-manager', 'ops-team', '-f', scaled]),
    ).rejects.toThrow(/conflict with "kubectl".*\.spec\.replicas/);
    const { stdout } = await run([
      'apply',
      '--server-side',
      ...validate,
      '--field-manager',
      'ops-team',
      '--force-conflicts',
      '-f',
      scaled,
    ]);
    expect(stdout.trim()).toBe('deployment.apps/podinfo serverside-applied');
  });

  it('delete removes the Deployment', async () => {
    const { stdout } = await run(['delete', 'deployment', 'podinfo', '-n', 'examples']);
    expect(stdout.trim()).toBe('deployment.apps "podinfo" deleted');
    await expect(run(['get', 'deployment', 'podinfo', '-n', 'examples'])).rejects.toThrow(
      /deployments.apps "podinfo" not found/,
    );
    expect(sim.objects('local').some((o) => o.kind === 'Deployment' && o.metadata.name === 'podinfo')).toBe(
      false,
    );
  });
});
