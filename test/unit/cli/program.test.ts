import { PassThrough } from 'node:stream';
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliContext } from '../../../cli/context.js';
import { allCommands, buildProgram, commandPath } from '../../../cli/program.js';

function harness(): { program: Command; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ctx = new CliContext({ stdout, stderr, env: {}, cwd: process.cwd() });
  return { program: buildProgram(ctx), out: () => out, err: () => err };
}

async function run(argv: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  const h = harness();
  try {
    await h.program.parseAsync(argv, { from: 'user' });
    return { code: undefined, out: h.out(), err: h.err() };
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return { code: e.exitCode, out: h.out(), err: h.err() };
  }
}

describe('the revela program', () => {
  const commands = allCommands(harness().program).filter((c) => c.name() !== 'help');

  it('has every command the issue lists', () => {
    const paths = commands.map(commandPath);
    for (const expected of [
      'revela apply',
      'revela up',
      'revela status',
      'revela revision list',
      'revela revision get',
      'revela revision diff',
      'revela live-diff',
      'revela dry-run',
      'revela workflow suspend',
      'revela workflow resume',
      'revela workflow terminate',
      'revela workflow restart',
      'revela workflow rollback',
      'revela rollback',
      'revela def list',
      'revela def get',
      'revela def apply',
      'revela def delete',
      'revela cluster list',
      'revela worker',
      'revela dev',
      'revela codec-server',
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it.each(commands.map((c) => [commandPath(c)]))('`%s --help` shows an example', async (path) => {
    const { code, out } = await run([...path.split(' ').slice(1), '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: revela/);
    expect(out).toMatch(/Examples?:\n {2}(revela|[A-Z_]+=|cat |KUBECONFIG)/);
  });

  it('rejects an unknown flag with the usage line', async () => {
    const { code, err } = await run(['status', 'podinfo', '--bogus']);
    expect(code).toBe(1); // main() turns every commander error but help into exit code 2
    expect(err).toContain("error: unknown option '--bogus'");
    expect(err).toContain('Usage: revela status [options] <name>');
  });

  it('rejects a bad option value', async () => {
    const { err } = await run(['live-diff', 'podinfo', '-c', 'many']);
    expect(err).toContain(
      "option '-c, --context <n>' argument 'many' is invalid. expected a non-negative integer",
    );
    const output = await run(['-o', 'xml', 'revision', 'list', 'podinfo']);
    expect(output.err).toContain('Allowed choices are table, json, yaml');
  });

  it('accepts global options after the command', async () => {
    const { code, err } = await run(['status', '--help', '-n', 'examples']);
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
