import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../../worker/workflows-path.js';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    /** Workflow code bundled once per run, so each test file's worker starts in milliseconds. */
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let bundleDir: string | undefined;

/**
 * One real Temporal dev server per test run: in memory, random free port, Revela's search
 * attributes registered through the operator service. Torn down by `teardown` even when tests fail.
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
    bundleDir = await mkdtemp(join(tmpdir(), 'revela-bundle-'));
    const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietLogger });
    bundlePath = join(bundleDir, 'workflows.js');
    await writeFile(bundlePath, bundle.code);
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

export async function teardown(): Promise<void> {
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
