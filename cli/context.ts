import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RevelaClient, type RevelaClientOptions } from '../client/revela-client.js';
import { colorsEnabled, createPalette, type Palette } from './output/palette.js';
import { formatStructured, type OutputFormat } from './output/structured.js';

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  /** The application (Kubernetes) namespace. */
  readonly namespace: string;
  /** Whether `-n` was given (commands with another default namespace, like `def`, need to know). */
  readonly namespaceGiven: boolean;
  readonly address?: string;
  readonly temporalNamespace?: string;
  readonly output: OutputFormat;
}

/** Where a command writes and what it reads; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * What commands share: the global options, output streams with colour decided once, and one
 * Temporal connection opened on first use and closed when the command ends.
 */
export class CliContext {
  private clientPromise: Promise<RevelaClient> | undefined;

  constructor(readonly io: CliIo) {}

  /** Global options as given on the command line (they may appear before or after the command). */
  globals(command: Command): GlobalOptions {
    const all = command.optsWithGlobals<{
      namespace: string;
      address?: string;
      temporalNamespace?: string;
      output: OutputFormat;
    }>();
    let root: Command = command;
    while (root.parent) root = root.parent;
    return {
      namespace: all.namespace,
      namespaceGiven:
        root.getOptionValueSource('namespace') === 'cli' || root.getOptionValueSource('namespace') === 'env',
      ...(all.address ? { address: all.address } : {}),
      ...(all.temporalNamespace ? { temporalNamespace: all.temporalNamespace } : {}),
      output: all.output,
    };
  }

  /** Colours for stdout: on a TTY without `NO_COLOR`, and never for `-o json|yaml`. */
  palette(output: OutputFormat = 'table'): Palette {
    return createPalette(output === 'table' && colorsEnabled(this.io.stdout, this.io.env));
  }

  /** Prints to stdout, with a final newline. */
  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Prints a command's result: `value` for `-o json|yaml`, else what `table` makes of it (with
   * colours when stdout is a terminal).
   */
  emit<T>(command: Command, value: T, table: (value: T, palette: Palette) => string): void {
    const { output } = this.globals(command);
    this.print(output === 'table' ? table(value, this.palette(output)) : formatStructured(value, output));
  }

  /** Prints to stderr, with a final newline. */
  printError(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * The kubeconfig and clusters file for client-side views (`status --tree`, rendered diffs):
   * `REVELA_KUBECONFIG`/`KUBECONFIG` and `REVELA_CLUSTERS` when set, else the dev stack's
   * `.revela/kubeconfig` and `.revela/clusters.yaml` when they exist.
   */
  clusterFiles(): RevelaClientOptions['clusters'] {
    const env = this.io.env;
    if (env.REVELA_KUBECONFIG || env.KUBECONFIG) return undefined;
    const dir = resolve(this.io.cwd, env.REVELA_STATE_DIR ?? '.revela');
    const kubeconfigPath = resolve(dir, 'kubeconfig');
    const clustersPath = resolve(dir, 'clusters.yaml');
    if (!existsSync(kubeconfigPath)) return undefined;
    return { kubeconfigPath, ...(existsSync(clustersPath) && !env.REVELA_CLUSTERS ? { clustersPath } : {}) };
  }

  /**
   * The client, connected on first use. It fails fast — one line naming the cause and the next
   * step — when Temporal is unreachable or no worker polls the task queue.
   */
  async client(command: Command): Promise<RevelaClient> {
    const globals = this.globals(command);
    const clusters = this.clusterFiles();
    this.clientPromise ??= RevelaClient.connect({
      env: this.io.env,
      ...(globals.address ? { address: globals.address } : {}),
      ...(globals.temporalNamespace ? { temporalNamespace: globals.temporalNamespace } : {}),
      ...(clusters ? { clusters } : {}),
    });
    return this.clientPromise;
  }

  /** Closes the connection if one was opened. */
  async close(): Promise<void> {
    const pending = this.clientPromise;
    this.clientPromise = undefined;
    if (!pending) return;
    try {
      await (await pending).close();
    } catch {
      // A connection that never opened has nothing to close; its error was already reported.
    }
  }
}
