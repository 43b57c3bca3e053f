import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../worker/search-attributes.js';
import { freePort } from './free-port.js';
import type { TemporalCli } from './temporal-cli.js';

export interface DevServerOptions {
  /** How to run the server (see `provisionTemporalCli`). */
  readonly cli: TemporalCli;
  /** gRPC port. @default a random free port */
  readonly port?: number;
  /** UI port; the UI is off when unset. */
  readonly uiPort?: number;
  /** Interface to bind. @default 127.0.0.1 */
  readonly ip?: string;
  /** SQLite file to persist to. @default in memory */
  readonly dbFilename?: string;
  /** Namespace created at start. @default "default" */
  readonly namespace?: string;
  /** Codec server URL the UI uses to decode payloads. */
  readonly uiCodecEndpoint?: string;
  /** How long to wait for the server to answer. @default 120 s (the first start of a fresh SQLite file is slow) */
  readonly startTimeoutMs?: number;
  /** Where the server's own log lines go. @default discarded unless the start fails */
  readonly onOutput?: (chunk: string) => void;
}

export interface DevServer {
  readonly address: string;
  readonly namespace: string;
  readonly uiUrl: string | undefined;
  /** Stops the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
}

/**
 * Dynamic config that makes a dev server fit for tests and the dev stack: search attributes
 * registered at start are queryable at once instead of after the cache refresh, and activities
 * are handed to the worker in the workflow task's response (eager execution, on in Temporal
 * Cloud, off by default in the open-source server) instead of a round trip through the task
 * queue for each one.
 */
const DYNAMIC_CONFIG = [
  'system.forceSearchAttributesCacheRefreshOnRead=true',
  'system.enableActivityEagerExecution=true',
];

/** Waits until the frontend answers `GetSystemInfo`, or fails after `timeoutMs`. */
export async function waitForFrontend(
  address: string,
  timeoutMs: number,
  exited?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const why = exited?.();
    if (why) throw new DevServerStartError(why);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new DevServerStartError(
    `Temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${lastError}`,
  );
}

/**
 * Starts `temporal server start-dev` and returns once its frontend answers and Revela's search
 * attributes are registered.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const address = `${ip}:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const uiUrl = options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined;
  const args = [
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...DYNAMIC_CONFIG.flatMap((kv) => ['--dynamic-config-value', kv]),
    ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
    ...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];

  let stop: () => Promise<void>;
  if (options.cli.kind === 'binary') {
    const child = spawn(options.cli.path, ['server', 'start-dev', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (output.length > 200) output.shift();
      options.onOutput?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exit: string | undefined;
    child.on('exit', (code, signal) => {
      exit = `Temporal dev server exited (${signal ?? `code ${code}`}) before it was ready:\n${output.join('').slice(-4000)}`;
    });
    child.on('error', (err) => {
      exit = `cannot run ${options.cli.kind === 'binary' ? options.cli.path : 'temporal'}: ${err.message}`;
    });
    // If this process exits without stopping the stack (a crash, a closed pipe), take the server
    // down with it rather than leave it holding the port and the SQLite file.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    stop = () => stopChild(child);
    try {
      await waitForFrontend(address, timeoutMs, () => exit);
    } catch (err) {
      await stop();
      throw err;
    }
  } else {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip,
        port,
        namespace,
        dbFilename: options.dbFilename,
        ui: options.uiPort !== undefined,
        uiPort: options.uiPort,
        extraArgs: [
          '--log-level',
          'warn',
          ...DYNAMIC_CONFIG.flatMap((kv) => ['--dynamic-config-value', kv]),
          ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
        ],
      },
    });
    stop = () => env.teardown();
  }

  const connection = await Connection.connect({ address });
  try {
    await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }

  let stopped: Promise<void> | undefined;
  return {
    address,
    namespace,
    uiUrl,
    stop: () => (stopped ??= stop()),
  };
}

/** SIGTERM, then SIGKILL after 10 s: the dev server flushes SQLite on a clean stop. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
