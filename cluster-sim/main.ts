import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_ROLLOUT_DURATION_MS,
  DEFAULT_SIM_CLUSTERS,
  startSimulator,
  type Simulator,
} from './simulator.js';

/**
 * `npm run sim` (and `revela sim`): the default clusters on fixed ports, so a kubeconfig written
 * once keeps working across restarts, with objects persisted to `.revela/sim-data.json`.
 */

export const DEFAULT_SIM_PORTS: readonly number[] = [6443, 6444, 6445];
export const DEFAULT_SIM_ADMIN_PORT = 6440;
export const DEFAULT_SIM_DIR = '.revela';

export interface SimulatorCommandOptions {
  /** One port per default cluster (local, hangzhou1, hangzhou2). @default $REVELA_SIM_PORTS or 6443,6444,6445 */
  readonly ports?: readonly number[];
  /** @default 6440 */
  readonly adminPort?: number;
  /** @default 2000 */
  readonly rolloutMs?: number;
  /** Persistence file; `null` turns persistence off. @default `<dir>/sim-data.json` */
  readonly dataFile?: string | null;
  /** Where kubeconfig and clusters.yaml are written. @default .revela */
  readonly dir?: string;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Create missing namespaces on apply. @default false */
  readonly createNamespaces?: boolean;
  /** Output lines. @default stdout */
  readonly log?: (line: string) => void;
  /** Stops the simulator when aborted; SIGINT and SIGTERM always do. */
  readonly signal?: AbortSignal;
}

export class SimulatorUsageError extends Error {
  override readonly name = 'SimulatorUsageError';
}

function parsePorts(text: string, source: string): number[] {
  const ports = text.split(',').map((p) => Number(p.trim()));
  if (
    ports.length !== DEFAULT_SIM_CLUSTERS.length ||
    ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)
  ) {
    throw new SimulatorUsageError(
      `${source} must list ${DEFAULT_SIM_CLUSTERS.length} ports for ${DEFAULT_SIM_CLUSTERS.map((c) => c.name).join(', ')} (e.g. 6443,6444,6445; 0 picks a free one), got "${text}"`,
    );
  }
  return ports;
}

function parseNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new SimulatorUsageError(`${flag} must be a non-negative number, got "${text}"`);
  return n;
}

export const SIMULATOR_USAGE = `usage: npm run sim -- [options]

  --ports <a,b,c>      ports for local, hangzhou1, hangzhou2 (env REVELA_SIM_PORTS; default 6443,6444,6445)
  --admin-port <n>     admin endpoint port (default 6440)
  --rollout-ms <n>     time a Deployment takes to become ready (default ${DEFAULT_ROLLOUT_DURATION_MS}; 0 = instant)
  --data-file <path>   persist objects here (default .revela/sim-data.json)
  --no-data-file       keep objects in memory only
  --dir <path>         where kubeconfig and clusters.yaml are written (default .revela)
  --host <addr>        interface to listen on (default 127.0.0.1)
  --create-namespaces  create a missing namespace on apply instead of answering 404
`;

export function parseSimulatorArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SimulatorCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ports: { type: 'string' },
        'admin-port': { type: 'string' },
        'rollout-ms': { type: 'string' },
        'data-file': { type: 'string' },
        'no-data-file': { type: 'boolean' },
        dir: { type: 'string' },
        host: { type: 'string' },
        'create-namespaces': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new SimulatorUsageError(`${(err as Error).message}\n\n${SIMULATOR_USAGE}`);
  }
  const ports = values.ports ?? env.REVELA_SIM_PORTS;
  const options: {
    -readonly [K in keyof SimulatorCommandOptions]: SimulatorCommandOptions[K];
  } = {};
  if (ports) options.ports = parsePorts(ports, values.ports ? '--ports' : 'REVELA_SIM_PORTS');
  if (values['admin-port']) options.adminPort = parseNumber(values['admin-port'], '--admin-port');
  if (values['rollout-ms']) options.rolloutMs = parseNumber(values['rollout-ms'], '--rollout-ms');
  if (values['no-data-file']) options.dataFile = null;
  else if (values['data-file']) options.dataFile = values['data-file'];
  if (values.dir) options.dir = values.dir;
  if (values.host) options.host = values.host;
  if (values['create-namespaces']) options.createNamespaces = true;
  return options;
}

/**
 * Starts the simulator, writes `<dir>/kubeconfig` and `<dir>/clusters.yaml`, prints where
 * everything is and runs until SIGINT, SIGTERM or `options.signal`.
 */
export async function runSimulatorCommand(options: SimulatorCommandOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = resolve(options.dir ?? DEFAULT_SIM_DIR);
  const ports = options.ports ?? DEFAULT_SIM_PORTS;
  const dataFile =
    options.dataFile === null ? undefined : resolve(options.dataFile ?? `${dir}/sim-data.json`);
  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      clusters: DEFAULT_SIM_CLUSTERS.map((c, i) => ({ ...c, port: ports[i] ?? 0 })),
      host: options.host ?? '127.0.0.1',
      rolloutDurationMs: options.rolloutMs ?? DEFAULT_ROLLOUT_DURATION_MS,
      createNamespacesOnApply: options.createNamespaces ?? false,
      adminPort: options.adminPort ?? DEFAULT_SIM_ADMIN_PORT,
      ...(dataFile ? { dataFile } : {}),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SimulatorUsageError(
        `a simulator port is already in use (${(err as Error).message}): stop the other simulator, or pick ports with --ports a,b,c or REVELA_SIM_PORTS`,
      );
    }
    throw err;
  }
  const { kubeconfigPath, clustersPath } = await simulator.writeFiles(dir);
  const relative = (p: string) => (p.startsWith(`${process.cwd()}/`) ? p.slice(process.cwd().length + 1) : p);
  log('Revela cluster simulator');
  for (const c of simulator.clusters) {
    const labels = Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    log(`  ${c.name.padEnd(10)} ${c.url}${labels ? `  (${labels})` : ''}`);
  }
  log(`  admin      ${simulator.adminUrl}/clusters`);
  log(`  kubeconfig ${relative(kubeconfigPath)}`);
  log(`  clusters   ${relative(clustersPath)}`);
  log(`  data       ${dataFile ? relative(dataFile) : '(in memory)'}`);
  log('');
  log(`try: KUBECONFIG=${relative(kubeconfigPath)} kubectl get deploy -A`);
  log('stop with Ctrl-C');

  await new Promise<void>((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      options.signal?.removeEventListener('abort', finish);
      done();
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    if (options.signal?.aborted) finish();
    options.signal?.addEventListener('abort', finish);
  });
  log('stopping the simulator…');
  await simulator.stop();
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  try {
    await runSimulatorCommand(parseSimulatorArgs(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(
      `${err instanceof SimulatorUsageError ? err.message : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exitCode = 1;
  }
}
