import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Server } from 'node:http';
import { startSimulator, type Simulator } from '../cluster-sim/simulator.js';
import { startCodecServer } from '../client/codec-server.js';
import { RevelaPayloadCodec } from '../client/payload-codec.js';
import { loadWorkerConfig } from '../worker/config.js';
import { runWorker } from '../worker/run-worker.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { provisionTemporalCli } from './temporal-cli.js';

export interface DevStackOptions {
  /** Where the SQLite file, kubeconfig, clusters file and simulator data live. @default `.revela` */
  readonly stateDir?: string;
  /** @default 7233 (`REVELA_DEV_PORT`) */
  readonly port?: number;
  /** @default 8233 (`REVELA_DEV_UI_PORT`) */
  readonly uiPort?: number;
  /** @default 8081 (`REVELA_CODEC_PORT`) */
  readonly codecPort?: number;
  /** First simulator port; clusters take consecutive ports. @default 6443 */
  readonly simulatorPort?: number;
  /** Simulated rollout duration per Deployment. @default 2000 */
  readonly rolloutMs?: number;
  /** Run the worker in this process. @default true */
  readonly worker?: boolean;
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
  /** Resolves when the worker stops (Ctrl-C); rejects if it crashes. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a port number`);
  return n;
}

/**
 * The embedded stack behind `npm start` / `revela dev`: the Temporal dev server with its UI and a
 * SQLite file under `.revela/` (a second start reuses it), the codec server the UI decodes
 * payloads with, the Kubernetes API simulator with clusters `local`, `hangzhou1` and `hangzhou2`,
 * and a worker pointed at all of them.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stateDir = resolve(options.stateDir ?? env.REVELA_STATE_DIR ?? '.revela');
  const port = options.port ?? envPort(env, 'REVELA_DEV_PORT', 7233);
  const uiPort = options.uiPort ?? envPort(env, 'REVELA_DEV_UI_PORT', 8233);
  const codecPort = options.codecPort ?? envPort(env, 'REVELA_CODEC_PORT', 8081);
  const simulatorPort = options.simulatorPort ?? envPort(env, 'REVELA_SIM_PORT', 6443);
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

    const simulator: Simulator = await startSimulator({
      clusters: [
        { name: 'local', port: simulatorPort },
        { name: 'hangzhou1', labels: { region: 'hangzhou' }, port: simulatorPort + 1 },
        { name: 'hangzhou2', labels: { region: 'hangzhou' }, port: simulatorPort + 2 },
      ],
      rolloutDurationMs: options.rolloutMs ?? Number(env.REVELA_SIM_ROLLOUT_MS ?? 2000),
      dataFile: resolve(stateDir, 'sim-data.json'),
    });
    stops.push(() => simulator.stop());
    const { kubeconfigPath, clustersPath } = await simulator.writeFiles(stateDir);

    let done: Promise<void> = Promise.resolve();
    if (options.worker ?? true) {
      let ready!: () => void;
      const polling = new Promise<void>((resolve) => (ready = resolve));
      done = runWorker({ config, installLogger: true, onReady: () => ready() });
      // The stack is up when the worker polls (or fails to start).
      await Promise.race([polling, done]);
    }
    const uiUrl = server.uiUrl ?? `http://127.0.0.1:${uiPort}`;
    return {
      address: server.address,
      dbFilename: resolve(stateDir, 'temporal.db'),
      uiUrl,
      codecUrl: codecServer.url,
      kubeconfigPath,
      clustersPath,
      done: done.finally(stopAll),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
