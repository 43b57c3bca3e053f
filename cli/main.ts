#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliContext } from './context.js';
import { describeFailure, EXIT_OK, EXIT_USAGE } from './errors.js';
import { buildProgram } from './program.js';

/**
 * The `revela` command. Exit codes: 0 ok, 1 failure, 2 usage. Failures print one line (the
 * typed errors' messages name the cause and the next step); `DEBUG=revela` adds stacks.
 */
async function main(argv: readonly string[]): Promise<number> {
  const ctx = new CliContext({
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
  const debug = /(^|,)\s*(revela|\*)\s*(,|$)/.test(process.env.DEBUG ?? '');
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    // Commander already printed its message (and the usage line); help and --version exit 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const report = describeFailure(err, debug);
    for (const line of report.lines) ctx.printError(line);
    return report.exitCode;
  } finally {
    await ctx.close();
  }
}

process.exit(await main(process.argv));
