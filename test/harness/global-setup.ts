import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { preloadModules } from '../../worker/preload-modules.js';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../../worker/workflows-path.js';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import { startClusterPool, type ClusterPool, type PooledClusterSet } from './cluster-pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    /** Workflow code bundled once per run, so each test file's worker starts in milliseconds. */
    workflowBundlePath: string;
    /** The run's real Kubernetes cluster sets; a test file leases one (see cluster-lease.ts). */
    clusterSets: PooledClusterSet[];
    clusterLeaseDir: string;
  }
}

let server: DevServer | undefined;
let bundleDir: string | undefined;
let pool: ClusterPool | undefined;
let poolDir: string | undefined;

/**
 * One real Temporal dev server per test run (in memory, random free port, Revela's search
 * attributes registered through the operator service) and a pool of real Kubernetes cluster sets.
 * Torn down by `teardown` even when tests fail.
 */
export async function setup(project: TestProject): Promise<void> {
  const log = (line: string) => process.stderr.write(`[harness] ${line}\n`);
  const cli = await provisionTemporalCli({ log });
  const started = Date.now();
  server = await startDevServer({ cli });
  log(
    `Temporal dev server ${server.address} (namespace ${server.namespace}) up in ${Date.now() - started} ms`,
  );
  let bundlePath: string;
  try {
    poolDir = await mkdtemp(join(tmpdir(), 'revela-clusters-'));
    const poolStarted = Date.now();
    pool = await startClusterPool(poolDir, log);
    log(`${pool.sets.length} cluster sets up in ${Date.now() - poolStarted} ms`);
    bundleDir = await mkdtemp(join(tmpdir(), 'revela-bundle-'));
    const bundle = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      preloadModules: preloadModules(workflowsPath()),
      logger: quietLogger,
    });
    bundlePath = join(bundleDir, 'workflows.js');
    await writeFile(bundlePath, bundle.code);
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('clusterSets', [...(pool?.sets ?? [])]);
  project.provide('clusterLeaseDir', pool?.leaseDir ?? '');
}

export async function teardown(): Promise<void> {
  await pool?.stop();
  pool = undefined;
  if (poolDir) await rm(poolDir, { recursive: true, force: true });
  await server?.stop();
  server = undefined;
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
};
