import { Command } from 'commander';
import { RevelaClient } from '../../client/revela-client.js';
import type { CliContext } from '../context.js';
import type { Palette } from '../output/palette.js';
import { formatTable } from '../output/table.js';

export interface ClusterRow {
  readonly name: string;
  readonly endpoint: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function formatClusterList(rows: readonly ClusterRow[], palette?: Palette): string {
  if (rows.length === 0) return 'no clusters: the kubeconfig has no contexts';
  return formatTable(
    ['NAME', 'ENDPOINT', 'LABELS'],
    rows.map((r) => [
      r.name,
      r.endpoint,
      Object.entries(r.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '-',
    ]),
    palette ? { palette } : {},
  );
}

/** `revela cluster list`: the clusters of the kubeconfig and clusters file (no Temporal needed). */
export function clusterCommand(ctx: CliContext): Command {
  const list = new Command('list')
    .alias('ls')
    .summary('list the clusters Revela deploys to, with their labels')
    .description(
      "List the clusters of the kubeconfig (REVELA_KUBECONFIG, KUBECONFIG, or the dev stack's\n" +
        '.revela/kubeconfig) named and labelled by the clusters file (REVELA_CLUSTERS or\n' +
        '.revela/clusters.yaml). Workers read the same variables; topology policies select by these labels.',
    )
    .addHelpText(
      'after',
      `
Example:
  REVELA_KUBECONFIG=~/.kube/config REVELA_CLUSTERS=clusters.yaml revela cluster list`,
    )
    .action(async (_options: unknown, cmd: Command) => {
      const clusters = ctx.clusterFiles();
      const registry = await RevelaClient.loadClusterRegistry({
        env: ctx.io.env,
        ...(clusters ? { clusters } : {}),
      });
      const rows: ClusterRow[] = registry
        .list()
        .map((c) => ({ name: c.name, endpoint: registry.server(c.name), labels: c.labels }));
      ctx.emit(cmd, rows, formatClusterList);
    });
  return new Command('cluster')
    .summary('inspect the clusters Revela deploys to')
    .addCommand(list)
    .addHelpText('after', '\nExample:\n  revela cluster list');
}
