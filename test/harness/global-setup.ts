import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let server: DevServer | undefined;

/**
 * One real Temporal dev server per test run: in memory, random free port, Revela's search
 * attributes registered through the operator service. Torn down by `teardown` even when tests fail.
 */
export async function setup(project: TestProject): Promise<void> {
  const log = (line: string) => process.stderr.write(`[harness] ${line}\n`);
  const cli = await provisionTemporalCli({ log });
  const started = Date.now();
  server = await startDevServer({ cli });
  log(`Temporal dev server ${server.address} (namespace ${server.namespace}) up in ${Date.now() - started} ms`);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = undefined;
}
