import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import type { KubeBinaries } from './kube-binaries.js';
import { kwokPodStages } from './kwok-stages.js';

/** One local cluster: a kubeconfig context of this name, with labels for `clusters.yaml`. */
export interface LocalClusterSpec {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The clusters of the dev stack and of the test run, as KubeVela's version-control guide has them. */
export const DEV_CLUSTERS: readonly LocalClusterSpec[] = [
  { name: 'local' },
  { name: 'hangzhou1', labels: { region: 'hangzhou' } },
  { name: 'hangzhou2', labels: { region: 'hangzhou' } },
];

export interface LocalClustersOptions {
  readonly binaries: KubeBinaries;
  /** Folder for kwok's work dir, the kubeconfig, clusters.yaml and the token file. */
  readonly stateDir: string;
  /** @default {@link DEV_CLUSTERS} */
  readonly clusters?: readonly LocalClusterSpec[];
  /** kwokctl cluster names are `<namePrefix><name>`. @default `revela-` */
  readonly namePrefix?: string;
  /** How long a scheduled pod takes to become Running/Ready. @default 1000 */
  readonly podReadyDelayMs?: number;
  /** kwok nodes per cluster. @default 2 */
  readonly nodes?: number;
  /** Pods each kwok node takes (Kubernetes' usual 110 is too few for load tests). @default 1000 */
  readonly podsPerNode?: number;
  /** @default stderr */
  readonly log?: (line: string) => void;
}

/** Where a running local cluster is and how to reach it. */
export interface LocalCluster {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** PEM of the cluster CA (it also signed the apiserver's serving certificate). */
  readonly caPem: string;
  /** The apiserver's serving certificate and key (kwok serves and signs with one pair). */
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
  /** A bearer token the apiserver knows (token auth file, group system:masters). */
  readonly token: string;
}

export interface LocalClusters {
  readonly clusters: readonly LocalCluster[];
  /** A kubeconfig with one context per cluster, named after it, bearer token auth. */
  readonly kubeconfigPath: string;
  /** `clusters: [{name, context, labels}]` for the registry. */
  readonly clustersPath: string;
  /** The folder with kubectl and the server binaries (put it on PATH for kubectl of the same version). */
  readonly binDir: string;
  /** Stops the processes and keeps the data, so the next start is quick. */
  stop(): Promise<void>;
  /** Stops the processes and removes every trace of the clusters. */
  delete(): Promise<void>;
}

/** kwokctl's failures keep its output: it says which component did not come up. */
export class LocalClusterError extends Error {
  override readonly name = 'LocalClusterError';
  constructor(
    message: string,
    readonly cluster: string,
    readonly output: string,
  ) {
    super(message);
  }
}

const TOKEN_USER = 'revela-admin';

/**
 * Starts (creating on first use) real Kubernetes clusters with kwokctl's binary runtime: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler and kwok per cluster, all on 127.0.0.1,
 * from the binaries {@link provisionKubeBinaries} gave. Their state stays under `stateDir`: a
 * second start of a stopped set only restarts processes.
 *
 * @example
 * const binaries = await provisionKubeBinaries();
 * const set = await startLocalClusters({ binaries, stateDir: '.revela' });
 * // KUBECONFIG=set.kubeconfigPath kubectl --context hangzhou1 get nodes
 * await set.stop();
 */
export async function startLocalClusters(options: LocalClustersOptions): Promise<LocalClusters> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const specs = options.clusters ?? DEV_CLUSTERS;
  const prefix = options.namePrefix ?? 'revela-';
  const workdir = join(options.stateDir, 'kwok');
  await mkdir(workdir, { recursive: true });
  // One kwok work dir per cluster: kwokctl keeps shared state (its CA among it) per work dir, and
  // clusters created side by side in one would race on it.
  const workdirOf = (spec: LocalClusterSpec) => join(workdir, spec.name);
  const envOf = (spec: LocalClusterSpec) => kwokEnv(options.binaries, workdirOf(spec));
  const token = await ensureToken(join(workdir, 'tokens.csv'));

  const kwokName = (spec: LocalClusterSpec) => `${prefix}${spec.name}`;
  // kwokctl picks each component's port by probing for a free one, so clusters are created one
  // after another (side by side they pick the same ports); restarts reuse recorded ports and run
  // side by side, since they mostly wait for the apiservers' readiness.
  const create = specs.filter(
    (spec) => !existsSync(join(workdirOf(spec), 'clusters', kwokName(spec), 'kwok.yaml')),
  );
  const results: PromiseSettledResult<void>[] = [];
  for (const spec of create) {
    const t0 = Date.now();
    const env = envOf(spec);
    const name = kwokName(spec);
    // Ports chosen by the kernel, not by kwokctl: kwokctl probes upwards from a fixed number, so
    // two processes creating clusters at once (a test run beside `npm start`) would pick the same.
    const configPath = join(workdir, `revela-kwok-${spec.name}.yaml`);
    await writeFile(configPath, kwokConfig(options, join(workdir, 'tokens.csv'), await freePorts(6)));
    const created = await kwokctl(
      env,
      ['create', 'cluster', '--name', name, '--config', configPath, '--wait', '2m', '--quiet-pull'],
      spec.name,
    )
      .then(() =>
        kwokctl(env, ['scale', 'node', '--name', name, '--replicas', String(options.nodes ?? 2)], spec.name),
      )
      .then(
        () => ({ status: 'fulfilled', value: undefined }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    const sized =
      created.status === 'fulfilled'
        ? await raisePodCapacity(options.binaries, workdirOf(spec), name, options.podsPerNode ?? 1000).then(
            () => created,
            (reason: unknown) => ({ status: 'rejected', reason }) as const,
          )
        : created;
    results.push(sized);
    if (sized.status === 'rejected') break;
    log(`kubernetes: cluster ${spec.name} created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  results.push(
    ...(await Promise.allSettled(
      specs
        .filter((spec) => !create.includes(spec))
        .map(async (spec) => {
          const t0 = Date.now();
          await kwokctl(
            envOf(spec),
            ['start', 'cluster', '--name', kwokName(spec), '--wait', '2m'],
            spec.name,
          );
          log(`kubernetes: cluster ${spec.name} restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }),
    )),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(
      specs.map((spec) =>
        kwokctl(envOf(spec), ['stop', 'cluster', '--name', kwokName(spec)], spec.name).catch(() => undefined),
      ),
    );
    throw failed.reason;
  }

  const clusters: LocalCluster[] = [];
  for (const spec of specs)
    clusters.push(await describeCluster(workdirOf(spec), kwokName(spec), spec, token));
  const kubeconfigPath = join(options.stateDir, 'kubeconfig');
  const clustersPath = join(options.stateDir, 'clusters.yaml');
  await writeFile(kubeconfigPath, kubeconfigFor(clusters), { mode: 0o600 });
  await writeFile(
    clustersPath,
    toYaml({ clusters: clusters.map((c) => ({ name: c.name, context: c.name, labels: { ...c.labels } })) }),
  );
  const each = async (verb: 'stop' | 'delete') => {
    await Promise.all(
      specs.map((spec) =>
        kwokctl(envOf(spec), [verb, 'cluster', '--name', kwokName(spec)], spec.name).catch((err: Error) =>
          log(`kubernetes: ${verb} ${spec.name}: ${err.message}`),
        ),
      ),
    );
  };
  return {
    clusters,
    kubeconfigPath,
    clustersPath,
    binDir: options.binaries.dir,
    stop: () => each('stop'),
    delete: () => each('delete'),
  };
}

/**
 * kwok nodes come with Kubernetes' usual 110 pods; load tests need more. The apiserver ignores
 * status on create, so the capacity is patched through the status subresource, as a kubelet would.
 */
async function raisePodCapacity(
  binaries: KubeBinaries,
  workdir: string,
  name: string,
  pods: number,
): Promise<void> {
  const kubeconfig = join(workdir, 'clusters', name, 'kubeconfig.yaml');
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(binaries.paths.kubectl, ['--kubeconfig', kubeconfig, ...args], (err, stdout, stderr) =>
        err
          ? reject(new LocalClusterError(`kubectl ${args.join(' ')}: ${stderr || err.message}`, name, stderr))
          : resolve(stdout),
      );
    });
  const nodes = (await run(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean);
  const patch = JSON.stringify({
    status: { allocatable: { pods: String(pods) }, capacity: { pods: String(pods) } },
  });
  for (const node of nodes) await run(['patch', node, '--subresource=status', '--type=merge', '-p', patch]);
}

function kwokEnv(binaries: KubeBinaries, workdir: string): NodeJS.ProcessEnv {
  // kwokctl checks readiness with `kubectl`: ours comes first on PATH, so nothing is downloaded.
  return {
    ...process.env,
    KWOK_WORKDIR: workdir,
    PATH: `${binaries.dir}${delimiter}${process.env.PATH ?? ''}`,
  };
}

/**
 * kwokctl's configuration: binary runtime with every binary given (each default is a download
 * URL), listeners on loopback, RBAC and admission as a real cluster has them, token auth, and
 * Revela's pod stages.
 */
function kwokConfig(options: LocalClustersOptions, tokenFile: string, ports: readonly number[]): string {
  const [apiserver, etcd, etcdPeer, controllerManager, scheduler, kwokController] = ports;
  const p = options.binaries.paths;
  const kwokctl = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      bindAddress: '127.0.0.1',
      kubeVersion: options.binaries.kubernetesVersion,
      securePort: true,
      kubeAuthorization: true,
      kubeAdmission: true,
      etcdBinary: p.etcd,
      kubeApiserverBinary: p['kube-apiserver'],
      kubeControllerManagerBinary: p['kube-controller-manager'],
      kubeSchedulerBinary: p['kube-scheduler'],
      kwokControllerBinary: p.kwok,
      kubectlBinary: p.kubectl,
      disableQPSLimits: true,
      kubeApiserverPort: apiserver,
      etcdPort: etcd,
      etcdPeerPort: etcdPeer,
      kubeControllerManagerPort: controllerManager,
      kubeSchedulerPort: scheduler,
      kwokControllerPort: kwokController,
    },
    componentsPatches: [
      { name: 'kube-apiserver', extraArgs: [{ key: 'token-auth-file', value: tokenFile }] },
    ],
  };
  return [toYaml(kwokctl), kwokPodStages(options.podReadyDelayMs ?? 1000)].join('---\n');
}

/** `count` distinct ports the kernel says are free on 127.0.0.1 now. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((srv) => (srv.address() as AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

/** One token per state folder, kept so kubeconfigs written earlier stay valid. */
async function ensureToken(path: string): Promise<string> {
  if (existsSync(path)) {
    const line = (await readFile(path, 'utf8')).split('\n')[0] ?? '';
    const token = line.split(',')[0];
    if (token) return token;
  }
  const token = randomBytes(24).toString('hex');
  await writeFile(path, `${token},${TOKEN_USER},${TOKEN_USER},"system:masters"\n`, { mode: 0o600 });
  return token;
}

async function describeCluster(
  workdir: string,
  kwokName: string,
  spec: LocalClusterSpec,
  token: string,
): Promise<LocalCluster> {
  const dir = join(workdir, 'clusters', kwokName);
  const kubeconfig = parseYaml(await readFile(join(dir, 'kubeconfig.yaml'), 'utf8')) as {
    clusters?: { cluster?: { server?: string } }[];
  };
  const server = kubeconfig.clusters?.[0]?.cluster?.server;
  if (!server) throw new LocalClusterError(`kwokctl wrote no server address for ${spec.name}`, spec.name, '');
  return {
    name: spec.name,
    labels: spec.labels ?? {},
    server: server.replace('://localhost:', '://127.0.0.1:').replace('://0.0.0.0:', '://127.0.0.1:'),
    caPem: await readFile(join(dir, 'pki', 'ca.crt'), 'utf8'),
    servingCertPem: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'),
    servingKeyPem: await readFile(join(dir, 'pki', 'admin.key'), 'utf8'),
    token,
  };
}

/** A kubeconfig for the clusters, each context named after its cluster. */
export function kubeconfigFor(
  clusters: readonly Pick<LocalCluster, 'name' | 'server' | 'caPem' | 'token'>[],
): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') },
    })),
    users: clusters.map((c) => ({ name: `${c.name}-admin`, user: { token: c.token } })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-admin` } })),
    'current-context': clusters[0]?.name ?? '',
  });
}

function kwokctl(env: NodeJS.ProcessEnv, args: readonly string[], cluster: string): Promise<string> {
  const bin = join((env.PATH ?? '').split(delimiter)[0] ?? '', 'kwokctl');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          new LocalClusterError(
            `kwokctl ${args.join(' ')} failed (exit ${code}) for cluster ${cluster}:\n${output.trim().split('\n').slice(-15).join('\n')}`,
            cluster,
            output,
          ),
        );
    });
  });
}
