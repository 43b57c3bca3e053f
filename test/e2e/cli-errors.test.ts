import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startCliStack, type CliStack } from './cli-stack.js';

/** A stack trace line (`    at fn (file.js:1:2)`): never shown without DEBUG=revela. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

const COMMANDS = [
  'apply',
  'up',
  'status',
  'revision',
  'revision list',
  'revision get',
  'revision diff',
  'live-diff',
  'rollback',
  'workflow',
  'workflow suspend',
  'workflow resume',
  'workflow terminate',
  'workflow restart',
  'workflow rollback',
  'def',
  'def list',
  'def get',
  'def apply',
  'def delete',
  'cluster',
  'cluster list',
  'worker',
  'dev',
  'codec-server',
];

describe('revela, used wrongly or without a server', () => {
  let cli: CliStack;
  beforeAll(async () => {
    cli = await startCliStack();
  });
  afterAll(async () => {
    await cli?.stop();
  });

  it('shows an example in the --help of every command', async () => {
    // Four at a time: each is a Node process.
    const results: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < COMMANDS.length; i += 4) {
      const batch = COMMANDS.slice(i, i + 4);
      results.push(
        ...(await Promise.all(batch.map((c) => runCli([...c.split(' '), '--help'], { env: cli.env })))),
      );
    }
    results.forEach((r, i) => {
      expect(r.code, COMMANDS[i]).toBe(0);
      expect(r.stdout, COMMANDS[i]).toMatch(new RegExp(`^Usage: revela ${COMMANDS[i] ?? ''}(\\|\\w+)? `));
      expect(r.stdout, COMMANDS[i]).toMatch(/\nExamples?:\n {2}\S/);
    });
  });

  it('prints the usage and exits 2 for an unknown flag', async () => {
    const r = await cli.run(['revision', 'list', 'podinfo', '--bogus'], { expectCode: 2 });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: unknown option '--bogus'\nUsage: revela revision list [options] <name>\nRun 'revela revision list --help' for options and examples.\n",
    );
  });

  it('exits 2 for a missing argument, an unknown command and a bad value', async () => {
    expect((await cli.run(['status'], { expectCode: 2 })).stderr).toContain(
      "error: missing required argument 'name'",
    );
    expect((await cli.run(['stauts', 'podinfo'], { expectCode: 2 })).stderr).toContain(
      "error: unknown command 'stauts'",
    );
    expect((await cli.run(['-o', 'xml', 'status', 'podinfo'], { expectCode: 2 })).stderr).toContain(
      'Allowed choices are table, json, yaml',
    );
    expect((await cli.run(['up', 'podinfo'], { expectCode: 2 })).stderr).toContain(
      'error: up podinfo publishes the saved draft under a new version: add --publish-version <version>',
    );
  });

  it('says in one line that Temporal is unreachable, and what to do', async () => {
    const r = await cli.run(['--address', '127.0.0.1:1', 'status', 'podinfo'], { expectCode: 1 });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: cannot reach Temporal at 127.0.0.1:1 — start the dev stack with `npm start`, or point TEMPORAL_ADDRESS (or --address) at your Temporal service\n',
    );
  });

  it('says in one line that no worker polls the task queue, and what to do', async () => {
    const queue = `nobody-${randomUUID()}`;
    const r = await cli.run(['revision', 'list', 'podinfo'], {
      expectCode: 1,
      env: { REVELA_TASK_QUEUE: queue },
    });
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: no worker is polling task queue "${queue}" on \\S+ — start one with \`npm start\` or \`revela worker\`\\n$`,
      ),
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('names the file, the document and the path of an invalid document', async () => {
    const file = join(cli.dir, 'bad.yaml');
    await writeFile(
      file,
      '---\napiVersion: core.oam.dev/v1alpha1\nkind: Policy\nmetadata: {name: ok}\ntype: topology\nproperties: {clusters: [local]}\n' +
        '---\napiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: web}\nspec:\n  components:\n    - name: web\n      type: webservice\n      properties: {image: nginx}\n      traits:\n        - {tpye: scaler}\n',
    );
    const r = await cli.run(['apply', '-f', file], { expectCode: 1 });
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('Application default/web');
    expect(r.stderr).toContain('spec.components[0].traits[0]');
    expect(r.stderr).toContain(`${file}, document 2`);
  });

  it('shows a YAML syntax error with its line', async () => {
    const r = await cli.run(['apply', '-f', '-'], {
      expectCode: 1,
      input: 'kind: Application\nmetadata: [\n',
    });
    expect(r.stderr).toMatch(/^error: <stdin>.*line \d+/);
  });

  it('prints a rejected request as error: <message>', async () => {
    const r = await cli.run(['rollback', 'never-applied', '-n', 'examples'], { expectCode: 1 });
    expect(r.stderr).toMatch(/^error: .*never-applied.*\n$/);
    const get = await cli.run(['revision', 'get', 'podinfo'], { expectCode: 2 });
    expect(get.stderr).toContain('"podinfo" is not a revision name: expected <app>-v<N>, e.g. podinfo-v1');
  });

  it('reads a missing file as one line', async () => {
    const r = await cli.run(['apply', '-f', join(ROOT, 'no-such-file.yaml')], { expectCode: 1 });
    expect(r.stderr).toBe(
      `error: cannot read ${join(ROOT, 'no-such-file.yaml')}: no such file or directory\n`,
    );
  });

  it('shows the stack with DEBUG=revela', async () => {
    const r = await cli.run(['--address', '127.0.0.1:1', 'status', 'podinfo'], {
      expectCode: 1,
      env: { DEBUG: 'revela' },
    });
    expect(r.stderr).toMatch(STACK_LINE);
  });

  it('lists clusters without Temporal', async () => {
    const r = await cli.run(['--address', '127.0.0.1:1', 'cluster', 'list']);
    // Columns are as wide as their longest value: the endpoints are the stack's proxies.
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME {6}ENDPOINT +LABELS$/);
    expect(r.stdout).toMatch(/\nhangzhou1 https:\/\/127\.0\.0\.1:\d+ +region=hangzhou\n/);
  });
});
