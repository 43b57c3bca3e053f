import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Server } from 'node:http';
import { startCodecServer } from '../client/codec-server.js';
import { RevelaPayloadCodec } from '../client/payload-codec.js';
import { loadWorkerConfig } from '../worker/config.js';
import { runWorker } from '../worker/run-worker.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { startHubController } from './hub-controller.js';
import { provisionKubeBinaries } from './kube-binaries.js';
import { startLocalClusters, type LocalClusters } from './local-clusters.js';
import { provisionTemporalCli } from './temporal-cli.js';

export interface DevStackOptions {
  /** Where the SQLite file, kubeconfig, clusters file and the clusters' etcd data live. @default `.revela` */
  readonly stateDir?: string;
  /** @default 7233 (`REVELA_DEV_PORT`) */
  readonly port?: number;
  /** @default 8233 (`REVELA_DEV_UI_PORT`) */
  readonly uiPort?: number;
  /** @default 8081 (`REVELA_CODEC_PORT`) */
  readonly codecPort?: number;
  /** How long a scheduled pod takes to become Ready on the local clusters. @default 1500 (`REVELA_POD_READY_DELAY_MS`) */
  readonly podReadyDelayMs?: number;
  /** On stop, keep the clusters' data for the next start (`false` removes them). @default true */
  readonly keepClusters?: boolean;
  /** Run the worker in this process. @default true */
  readonly worker?: boolean;
  /** Run `revela controller` with the `local` cluster as its hub (needs the worker). @default true */
  readonly controller?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

export interface DevStack {
  readonly address: string;
  /** The SQLite file the dev server persists to; a second start reuses it. */
  readonly dbFilename: string;
  readonly uiUrl: string;
  readonly codecUrl: string;
  readonly kubeconfigPath: string;
  readonly clustersPath: string;
  /** kubectl of the clusters' version and the server binaries. */
  readonly kubeBinDir: string;
  /** Resolves when the worker stops (Ctrl-C); rejects if it crashes. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 65535)
    throw new Error(`${name}=${raw} is not a number from ${min} to 65535`);
  return n;
}

/**
 * The embedded stack behind `npm start` / `revela dev`: the Temporal dev server with its UI and a
 * SQLite file under `.revela/` (a second start reuses it), the codec server the UI decodes
 * payloads with, three real Kubernetes clusters `local`, `hangzhou1` and `hangzhou2` (kube-apiserver,
 * controller-manager, scheduler, etcd and kwok nodes, built on first use; their data kept under
 * `.revela/kwok`), and a worker pointed at all of them.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stateDir = resolve(options.stateDir ?? env.REVELA_STATE_DIR ?? '.revela');
  const port = options.port ?? envPort(env, 'REVELA_DEV_PORT', 7233);
  const uiPort = options.uiPort ?? envPort(env, 'REVELA_DEV_UI_PORT', 8233);
  const codecPort = options.codecPort ?? envPort(env, 'REVELA_CODEC_PORT', 8081);
  await mkdir(stateDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`revela dev: while stopping: ${(err as Error).message}`);
      }
    }
    stops.length = 0;
  };

  try {
    const config = loadWorkerConfig({
      ...env,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      REVELA_KUBECONFIG: resolve(stateDir, 'kubeconfig'),
      REVELA_CLUSTERS: resolve(stateDir, 'clusters.yaml'),
      REVELA_LOG_FORMAT: env.REVELA_LOG_FORMAT ?? 'text',
    });
    const codec = new RevelaPayloadCodec(
      config.encryption ? { encryptionKey: config.encryption.key, keyId: config.encryption.keyId } : {},
    );
    const codecServer: { server: Server; url: string } = await startCodecServer({ codec, port: codecPort });
    stops.push(() => new Promise<void>((r) => codecServer.server.close(() => r())));

    const cli = await provisionTemporalCli({ env, log: (line) => log(`revela dev: ${line}`) });
    const started = Date.now();
    const server: DevServer = await startDevServer({
      cli,
      port,
      uiPort,
      dbFilename: resolve(stateDir, 'temporal.db'),
      uiCodecEndpoint: codecServer.url,
    });
    stops.push(() => server.stop());
    log(`revela dev: Temporal dev server up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const binaries = await provisionKubeBinaries({ env, log: (line) => log(`revela dev: ${line}`) });
    const clustersStarted = Date.now();
    const clusters: LocalClusters = await startLocalClusters({
      binaries,
      stateDir,
      podReadyDelayMs: options.podReadyDelayMs ?? envPort(env, 'REVELA_POD_READY_DELAY_MS', 1500, 0),
      log: (line) => log(`revela dev: ${line}`),
    });
    stops.push(() => ((options.keepClusters ?? true) ? clusters.stop() : clusters.delete()));
    log(
      `revela dev: clusters ${clusters.clusters.map((c) => c.name).join(', ')} up in ${((Date.now() - clustersStarted) / 1000).toFixed(1)} s`,
    );
    const { kubeconfigPath, clustersPath } = clusters;

    let done: Promise<void> = Promise.resolve();
    if (options.worker ?? true) {
      let ready!: () => void;
      const polling = new Promise<void>((resolve) => (ready = resolve));
      done = runWorker({ config, installLogger: true, onReady: () => ready() });
      // The stack is up when the worker polls (or fails to start).
      await Promise.race([polling, done]);
      if (options.controller ?? true) {
        const stopController = await startHubController({
          address: server.address,
          kubeconfigPath,
          clustersPath,
          env,
          log,
        });
        stops.push(stopController);
        log('revela dev: controller up: kubectl apply Applications to the local cluster (the hub)');
      }
    }
    const uiUrl = server.uiUrl ?? `http://127.0.0.1:${uiPort}`;
    return {
      address: server.address,
      dbFilename: resolve(stateDir, 'temporal.db'),
      uiUrl,
      codecUrl: codecServer.url,
      kubeconfigPath,
      clustersPath,
      kubeBinDir: binaries.dir,
      done: done.finally(stopAll),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
