import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../options.js';

export interface ControllerCommandOptions {
  readonly hubKubeconfig?: string;
  readonly hubContext?: string;
  readonly leaseNamespace?: string;
  readonly leaseDuration?: number;
  readonly resync?: number;
  readonly installCrds?: boolean;
}

/**
 * `revela controller`: the Kubernetes front door (code in `controller/`). `kubectl apply` an
 * Application, Policy, Workflow or definition into the hub cluster and it reaches Temporal through
 * the same client operations as `revela apply`; status comes back to the object.
 */
export function controllerCommand(ctx: CliContext): Command {
  return new Command('controller')
    .summary('sync Application objects of a hub cluster with Revela (kubectl apply, GitOps)')
    .description(
      'Watch Applications, Policies, Workflows and definitions (core.oam.dev) in the hub cluster and\n' +
        'apply them as `revela apply` does: a new app.oam.dev/publishVersion publishes, an edit under\n' +
        'the current one saves the draft. Writes .status (phase, workflow steps, services with live\n' +
        'health, latest revision, conditions) and one ApplicationRevision per revision; deleting an\n' +
        'Application deletes the application (its objects are collected) behind a finalizer.\n' +
        'Temporal stays the only store: a restarted controller publishes nothing twice. Replicas elect\n' +
        'a leader with a Lease, so running several is safe. The hub is REVELA_HUB_KUBECONFIG (or\n' +
        'KUBECONFIG, or in-cluster) and its current context; target clusters come from\n' +
        'REVELA_KUBECONFIG/REVELA_CLUSTERS as for every command.',
    )
    .option('--hub-kubeconfig <path>', 'kubeconfig of the hub cluster (REVELA_HUB_KUBECONFIG)')
    .option('--hub-context <name>', 'context of the hub in that kubeconfig (REVELA_HUB_CONTEXT)')
    .option('--lease-namespace <ns>', 'namespace of the leader Lease (default revela-system)')
    .option(
      '--lease-duration <duration>',
      'how long a silent leader keeps the Lease (default 15s)',
      parseTimeout,
    )
    .option(
      '--resync <duration>',
      'how often every Application status is refreshed (default 5s)',
      parseTimeout,
    )
    .option('--install-crds', 'install or update the core.oam.dev CustomResourceDefinitions first')
    .addHelpText(
      'after',
      `
Examples:
  REVELA_HUB_KUBECONFIG=.revela/kubeconfig REVELA_HUB_CONTEXT=local revela controller --install-crds
  kubectl apply -f examples/podinfo/ && kubectl get app,apprev -n examples`,
    )
    .action(async (options: ControllerCommandOptions, cmd: Command) => {
      const env = ctx.io.env;
      const [{ Hub }, { Controller }, { installCrds }] = await Promise.all([
        import('../../controller/hub.js'),
        import('../../controller/controller.js'),
        import('../../controller/install-crds.js'),
      ]);
      const kubeconfigPath = options.hubKubeconfig ?? env.REVELA_HUB_KUBECONFIG;
      const context = options.hubContext ?? env.REVELA_HUB_CONTEXT;
      const hub = new Hub({
        ...(kubeconfigPath ? { kubeconfigPath } : {}),
        ...(context ? { context } : {}),
      });
      if (options.installCrds) await installCrds(hub);
      const client = await ctx.client(cmd);
      const controller = new Controller({
        hub,
        client,
        ...(options.leaseNamespace ? { leaseNamespace: options.leaseNamespace } : {}),
        ...(options.leaseDuration ? { leaseDurationMs: options.leaseDuration } : {}),
        ...(options.leaseDuration
          ? { retryPeriodMs: Math.max(200, Math.floor(options.leaseDuration / 5)) }
          : {}),
        ...(options.resync ? { resyncMs: options.resync } : {}),
        log: (m) => ctx.print(`${new Date().toISOString()} ${m}`),
        debug: env.REVELA_CONTROLLER_DEBUG === '1',
      });
      const stopped = new Promise<string>((resolve) => {
        const onSignal = (signal: string) => void controller.stop().then(() => resolve(signal));
        process.once('SIGTERM', () => onSignal('SIGTERM'));
        process.once('SIGINT', () => onSignal('SIGINT'));
      });
      await controller.start();
      const outcome = await Promise.race([
        stopped.then((s) => ({ lost: false, why: s })),
        controller.lost.then((why) => ({ lost: true, why })),
      ]);
      ctx.print(`revela controller stopped (${outcome.why})`);
      // Lost leadership: exit non-zero so a supervisor restarts it as a standby.
      if (outcome.lost) process.exitCode = 1;
    });
}
