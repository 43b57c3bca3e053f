import { Command, Option } from 'commander';
import type { ApplyOutcome, RevelaClient } from '../../client/revela-client.js';
import type { Application } from '../../model/application.js';
import type { RevisionMetadata } from '../../model/revision.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { CliUsageError } from '../errors.js';
import { loadInputs } from '../load-inputs.js';
import { appOfRevision, parseTimeout } from '../options.js';
import { formatApplyOutcomes } from '../output/apply-outcomes.js';
import { waitRevision } from '../wait-revision.js';
import { fileOption } from './apply.js';

export interface UpCommandOptions {
  readonly file?: string[];
  readonly publishVersion?: string;
  readonly revision?: string;
  readonly wait?: boolean;
  readonly timeout: number;
}

/** What `up` will do, decided from the command line alone. */
export type UpPlan =
  | {
      readonly kind: 'files';
      readonly files: readonly string[];
      readonly name?: string;
      readonly publishVersion?: string;
    }
  | { readonly kind: 'draft'; readonly name: string; readonly publishVersion: string }
  | {
      readonly kind: 'republish';
      readonly name: string;
      readonly revision: string;
      readonly publishVersion: string;
    };

/**
 * Validates `up`'s arguments into a plan.
 *
 * @throws CliUsageError for a combination that cannot work
 */
export function planUp(
  name: string | undefined,
  options: Pick<UpCommandOptions, 'file' | 'publishVersion' | 'revision'>,
): UpPlan {
  const files = options.file ?? [];
  if (options.revision !== undefined) {
    if (files.length > 0)
      throw new CliUsageError('--revision re-publishes a stored revision; it does not take -f');
    const owner = appOfRevision(options.revision);
    if (name !== undefined && owner !== name) {
      throw new CliUsageError(
        `revision ${options.revision} belongs to application "${owner}", not "${name}"`,
      );
    }
    if (options.publishVersion === undefined) {
      throw new CliUsageError(
        `re-publishing ${options.revision} needs a new version: add --publish-version <version>`,
      );
    }
    return {
      kind: 'republish',
      name: owner,
      revision: options.revision,
      publishVersion: options.publishVersion,
    };
  }
  if (files.length > 0) {
    return {
      kind: 'files',
      files,
      ...(name !== undefined ? { name } : {}),
      ...(options.publishVersion !== undefined ? { publishVersion: options.publishVersion } : {}),
    };
  }
  if (name === undefined)
    throw new CliUsageError('give -f <file> to apply, or an application NAME with --publish-version');
  if (options.publishVersion === undefined) {
    throw new CliUsageError(
      `up ${name} publishes the saved draft under a new version: add --publish-version <version>`,
    );
  }
  return { kind: 'draft', name, publishVersion: options.publishVersion };
}

async function runPlan(
  plan: UpPlan,
  client: RevelaClient,
  globals: GlobalOptions,
  ctx: CliContext,
): Promise<ApplyOutcome[]> {
  const namespace = globals.namespace;
  if (plan.kind === 'republish' || plan.kind === 'draft') {
    const revision = await client.publish({
      name: plan.name,
      namespace,
      publishVersion: plan.publishVersion,
      ...(plan.kind === 'republish' ? { fromRevision: plan.revision } : {}),
    });
    return [
      {
        kind: 'Application',
        namespace,
        name: plan.name,
        result: 'published',
        message: `published ${revision.revision}`,
        revision,
      },
    ];
  }
  let documents = await loadInputs(plan.files, {
    defaultNamespace: namespace,
    onSkip: (file, reason) => ctx.printError(`skipped ${file}: ${reason}`),
  });
  if (plan.name !== undefined) {
    const wanted = plan.name;
    if (!documents.some((d) => d.kind === 'Application' && d.metadata.name === wanted)) {
      throw new CliUsageError(`no Application named "${wanted}" in ${plan.files.join(', ')}`);
    }
    documents = documents.filter((d) => d.kind !== 'Application' || d.metadata.name === wanted);
  }
  if (plan.publishVersion === undefined) return client.apply(documents);
  const apps = documents.filter((d): d is Application => d.kind === 'Application');
  const outcomes = await client.apply(documents.filter((d) => d.kind !== 'Application'));
  for (const app of apps) {
    const revision = await client.publish({ app, publishVersion: plan.publishVersion });
    outcomes.push({
      kind: 'Application',
      namespace: app.metadata.namespace ?? namespace,
      name: app.metadata.name,
      result: 'published',
      message: `published ${revision.revision}`,
      revision,
    });
  }
  return outcomes;
}

/**
 * `revela up`: apply files, publish the saved draft under a new version, or re-publish a stored
 * revision — then optionally wait for the revision to finish.
 */
export function upCommand(ctx: CliContext): Command {
  const command = new Command('up')
    .summary('publish an application version (from files, the saved draft, or a stored revision)')
    .description(
      'Publish a version of an application, like `vela up`:\n' +
        '  up -f app.yaml                      apply the file (publishes when its publishVersion is new)\n' +
        '  up -f app.yaml --publish-version V  apply and publish the applications under V\n' +
        '  up NAME --publish-version V         publish the saved draft under V\n' +
        '  up NAME --revision NAME-vK --publish-version V\n' +
        '                                      re-publish revision K: same content and hash, next number\n' +
        'A running revision is superseded (Terminated) before the new one applies anything.',
    )
    .argument('[name]', 'the application (required without -f)');
  fileOption(command, false, 'a YAML file, a directory or - (repeatable)');
  command
    .option('--publish-version <version>', 'publish under this version (app.oam.dev/publishVersion)')
    .option('--revision <name-vK>', 're-publish this stored revision (needs --publish-version)')
    .option('--wait', 'wait until the revision ends; exit 1 unless it succeeds')
    .addOption(
      new Option('--timeout <duration>', 'how long --wait waits')
        .default(300_000, '5m')
        .argParser(parseTimeout),
    )
    .addHelpText(
      'after',
      `
Examples:
  revela up -f examples/podinfo/ --wait
  revela up podinfo -n examples --publish-version alpha2
  revela up podinfo -n examples --revision podinfo-v1 --publish-version beta1 --wait --timeout 10m`,
    )
    .action(async (name: string | undefined, options: UpCommandOptions, cmd: Command) => {
      const globals = ctx.globals(cmd);
      const plan = planUp(name, options);
      const client = await ctx.client(cmd);
      const outcomes = await runPlan(plan, client, globals, ctx);
      const structured = globals.output !== 'table';
      if (!structured) ctx.print(formatApplyOutcomes(outcomes, ctx.palette()));
      const finals: RevisionMetadata[] = [];
      let failure: Error | undefined;
      if (options.wait) {
        for (const o of outcomes) {
          if (!o.revision) continue;
          try {
            finals.push(
              await waitRevision(ctx, client, { name: o.name, namespace: o.namespace }, o.revision.revision, {
                timeoutMs: options.timeout,
                progress: !structured,
              }),
            );
          } catch (err) {
            failure ??= err as Error;
          }
        }
      }
      if (structured) ctx.emit(cmd, { outcomes, ...(options.wait ? { revisions: finals } : {}) }, () => '');
      if (failure !== undefined) throw failure;
    });
  return command;
}
