import { Command } from 'commander';
import { preflightDocuments } from '../../client/preflight.js';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import { LOCAL_CLUSTER, type ClusterInfo } from '../../model/cluster-info.js';
import type { ReferencedObjectReader } from '../../model/ref-objects.js';
import type { CliContext } from '../context.js';
import { loadInputs } from '../load-inputs.js';
import { dryRunView, formatDryRun } from '../output/dry-run-view.js';
import { fileOption } from './apply.js';

export interface DryRunCommandOptions {
  readonly file: string[];
  readonly clusters?: string;
}

/** Offline there is no cluster to read `ref-objects` from: every entry is reported as not found. */
const NO_CLUSTER: ReferencedObjectReader = {
  read: () => Promise.resolve(undefined),
  list: () => Promise.resolve([]),
};

/** The clusters of a clusters.yaml (names and labels), or the single cluster `local`. */
async function clustersFrom(path: string | undefined): Promise<ClusterInfo[]> {
  if (path === undefined) return [{ name: LOCAL_CLUSTER, labels: {} }];
  // Loaded only here: the rest of the command needs no Kubernetes client.
  const { loadClustersFile } = await import('../../kube/cluster-registry.js');
  const file = await loadClustersFile(path);
  return file.clusters.map((c) => ({ name: c.name, labels: c.labels ?? {} }));
}

/** The revision name a first publish would give, which the labels carry. */
export function dryRunRevision(app: string): string {
  return `${app}-v1`;
}

/**
 * `revela dry-run -f <file|dir|->`: renders every application of the input offline — no
 * Temporal, no cluster — with the built-ins and the definitions, policies and workflows in the
 * input, through the same pipeline a publish's preflight runs (`preflightDocuments`).
 */
export function dryRunCommand(ctx: CliContext): Command {
  const command = new Command('dry-run')
    .summary('render applications offline and print the objects each step would apply')
    .description(
      'Render every Application in the input as a publish would — validation, snapshot, placement\n' +
        'and every deploying step — without Temporal or a cluster, using the built-in definitions and\n' +
        'the definitions, policies and workflows in the input. Prints the objects per step and cluster\n' +
        '(a YAML stream by default), or fails with the error a publish would give (exit 1).\n' +
        'Clusters named by a topology are taken as given; label selectors match --clusters.',
    )
    .option(
      '--clusters <file>',
      'a clusters.yaml (name, labels) for label selectors (default: one cluster "local")',
    );
  fileOption(
    command,
    true,
    'a YAML file (several documents allowed), a directory of *.yaml files, or - for stdin; repeatable',
  );
  command.addHelpText(
    'after',
    `
Labels carry the revision name of a first publish (<app>-v1). ref-objects cannot be read offline.

Examples:
  revela dry-run -f examples/podinfo/ --clusters examples/podinfo/registry/clusters.yaml
  revela dry-run -f app.yaml -o json
  cat app.yaml | revela dry-run -f -`,
  );
  command.action(async (options: DryRunCommandOptions, cmd: Command) => {
    const globals = ctx.globals(cmd);
    const documents = await loadInputs(options.file, {
      ...(globals.namespaceGiven ? { defaultNamespace: globals.namespace } : {}),
      onSkip: (file, reason) => ctx.printError(`skipped ${file}: ${reason}`),
    });
    const results = await preflightDocuments(documents, {
      readCatalog: () => Promise.resolve(loadBuiltinDefinitions()),
      clusters: await clustersFrom(options.clusters),
      assumeNamedClusters: true,
      reader: NO_CLUSTER,
      revision: (app) => dryRunRevision(app.metadata.name),
    });
    ctx.emit(cmd, dryRunView(results, dryRunRevision), formatDryRun);
  });
  return command;
}
