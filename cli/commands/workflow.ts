import { Command } from 'commander';
import type { RevelaClient } from '../../client/revela-client.js';
import type { CliContext } from '../context.js';
import type { OperationResult } from '../../workflows/messages.js';
import { formatRollback } from '../output/rollback-result.js';

type Operation = (
  client: RevelaClient,
  ref: { name: string; namespace: string },
  options: { step?: string; reason?: string },
) => Promise<OperationResult>;

function operationCommand(
  ctx: CliContext,
  name: string,
  summary: string,
  example: string,
  options: { step?: string; reason?: boolean },
  run: Operation,
): Command {
  const command = new Command(name).summary(summary).argument('<name>', 'the application');
  if (options.step) command.option('--step <step>', options.step);
  if (options.reason) command.option('--reason <text>', 'why (recorded on the failed steps)');
  return command
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action(async (app: string, opts: { step?: string; reason?: string }, cmd: Command) => {
      const { namespace } = ctx.globals(cmd);
      const client = await ctx.client(cmd);
      const result = await run(client, { name: app, namespace }, opts);
      ctx.emit(cmd, result, (r) => r.message);
    });
}

/** `revela workflow suspend|resume|terminate|restart|rollback NAME`: operations on the current revision's run. */
export function workflowCommand(ctx: CliContext): Command {
  const withStep = (o: { step?: string }) => (o.step ? { step: o.step } : {});
  return new Command('workflow')
    .summary("operate on the current revision's workflow")
    .addCommand(
      operationCommand(
        ctx,
        'suspend',
        'suspend the workflow (or hold one step when it is reached)',
        'revela workflow suspend podinfo -n examples',
        { step: 'hold only this step' },
        (c, ref, o) => c.suspend({ ...ref, ...withStep(o) }),
      ),
    )
    .addCommand(
      operationCommand(
        ctx,
        'resume',
        'resume a suspended workflow, a held step, a suspend step or an approval',
        'revela workflow resume podinfo -n examples --step approve-prod',
        { step: 'resume only this step' },
        (c, ref, o) => c.resume({ ...ref, ...withStep(o) }),
      ),
    )
    .addCommand(
      operationCommand(
        ctx,
        'terminate',
        'terminate the workflow: running steps fail with reason Terminate',
        'revela workflow terminate podinfo -n examples --reason "bad release"',
        { reason: true },
        (c, ref, o) => c.terminate({ ...ref, ...(o.reason ? { reason: o.reason } : {}) }),
      ),
    )
    .addCommand(
      operationCommand(
        ctx,
        'restart',
        'run the current revision again with the same snapshot (from --step if given)',
        'revela workflow restart podinfo -n examples',
        { step: 'restart from this step; earlier steps keep their result' },
        (c, ref, o) => c.restart({ ...ref, ...withStep(o) }),
      ),
    )
    .addCommand(
      new Command('rollback')
        .summary('roll back to the latest succeeded revision (as `vela workflow rollback`)')
        .argument('<name>', 'the application')
        .addHelpText(
          'after',
          '\nExample:\n  revela workflow rollback podinfo -n examples    # same as: revela rollback podinfo',
        )
        .action(async (app: string, _opts: unknown, cmd: Command) => {
          const { namespace } = ctx.globals(cmd);
          const client = await ctx.client(cmd);
          ctx.emit(cmd, await client.rollback({ name: app, namespace }), formatRollback);
        }),
    )
    .addHelpText(
      'after',
      `
Examples:
  revela workflow suspend podinfo -n examples
  revela workflow resume podinfo -n examples
  revela workflow restart podinfo -n examples --step deploy-hangzhou`,
    );
}
