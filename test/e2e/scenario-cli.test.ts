import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../harness/stack.js';
import { expectGolden, normalizeOutput, ROOT, startCliStack, type CliStack } from './cli-stack.js';

const EXAMPLE = join(ROOT, 'examples/podinfo');
const APP = { name: 'podinfo', namespace: 'examples' };
const NS = ['-n', 'examples'];

/**
 * SCENARIO.md, steps 1–7, with the `revela` CLI as a user types it. Outputs at stable points are
 * compared with golden files in test/fixtures/cli/ (times, hashes, ages and sizes masked).
 */
describe('the podinfo scenario through the CLI', () => {
  let cli: CliStack;
  let appYaml: string;

  beforeAll(async () => {
    // Rollouts take 6 s so the "wait healthy … Ready:0/3" phase of step 1 is there to see, even
    // when a loaded machine needs a second or two per CLI process.
    cli = await startCliStack({ rollout: 'slow' });
    appYaml = await readFile(join(EXAMPLE, 'app.yaml'), 'utf8');
  });
  afterAll(async () => {
    await cli?.stop();
  });

  async function writeApp(name: string, edit: (yaml: string) => string): Promise<string> {
    const path = join(cli.dir, name);
    await writeFile(path, edit(appYaml));
    return path;
  }

  async function revisionOf(name: string) {
    return (await cli.stack.client.listRevisions(APP)).find((r) => r.name === name);
  }

  it('step 1: applying the example publishes podinfo-v1, which waits for Ready:3/3 and succeeds', async () => {
    const apply = await cli.run([
      'apply',
      '-f',
      join(EXAMPLE, 'policies.yaml'),
      '-f',
      join(EXAMPLE, 'workflow.yaml'),
      '-f',
      join(EXAMPLE, 'app.yaml'),
    ]);
    expect(normalizeOutput(apply.stdout)).toBe(
      [
        'Policy examples/override-high-availability created',
        'Policy examples/topology-hangzhou-clusters created',
        'Workflow examples/make-release-in-hangzhou created',
        'Application examples/podinfo: published podinfo-v1 (alpha1, hash HASH000000000001)',
        '',
      ].join('\n'),
    );

    // While the replicas come up, status says why the step waits.
    const waiting = await eventually(
      'status to show podinfo-v1 waiting for Ready:0/3',
      async () => {
        const { stdout } = await cli.run(['status', 'podinfo', ...NS]);
        if (/Revision: +podinfo-v1 \(alpha1, Succeeded\)/.test(stdout)) {
          throw new Error(
            'podinfo-v1 succeeded before status showed it waiting: the machine is too slow for this rollout time',
          );
        }
        return /Status: +runningWorkflow/.test(stdout) && stdout.includes('Unhealthy Ready:0/3')
          ? stdout
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 0 },
    );
    expect(waiting).toContain('    message: wait healthy');

    await cli.stack.client.waitForRevision(APP, 'podinfo-v1', { timeoutMs: 60_000 });
    // State keep checks the new revision at once; status shows that check (no drift) from then on.
    await eventually('the first state-keep check of podinfo-v1', async () => {
      const last = (await cli.stack.client.status(APP)).stateKeep?.last;
      return last?.revision === 'podinfo-v1' ? last : undefined;
    });
    expectGolden('step1-status.txt', (await cli.run(['status', 'podinfo', ...NS])).stdout);
    const tree = await cli.run(['status', 'podinfo', ...NS, '--tree', '--detail']);
    expect(tree.stdout).toMatch(
      /hangzhou1 ─── examples {2}─── Deployment\/podinfo updated .* Ready: 3\/3 {2}Up-to-date: 3 {2}Available: 3 {2}Age: \d+s\n/,
    );
    expectGolden(
      'step1-tree-wide.txt',
      (await cli.run(['status', 'podinfo', ...NS, '--tree', '--detail', '--detail-format', 'wide'])).stdout,
    );
  });

  it('step 2: an edited image without a new publishVersion runs nothing; live-diff shows it', async () => {
    const edited = await writeApp('app-edited.yaml', (y) => y.replace('6.0.1', '6.0.xxx'));
    const apply = await cli.run(['apply', '-f', edited]);
    expect(apply.stdout).toContain(
      'draft saved; publishVersion alpha1 is already published as podinfo-v1, so nothing runs',
    );
    expect((await cli.stack.client.listRevisions(APP)).map((r) => r.name)).toEqual(['podinfo-v1']);

    const diff = await cli.run(['live-diff', 'podinfo', ...NS]);
    expectGolden('step2-live-diff.txt', diff.stdout);
    expect(diff.stdout).toContain(
      '-       image: stefanprodan/podinfo:6.0.1\n+       image: stefanprodan/podinfo:6.0.xxx',
    );
    expect(diff.stdout).toContain('* External Policy (topology-hangzhou-clusters) has no change');
    expect(diff.stdout).toContain('* External Workflow (make-release-in-hangzhou) has no change');
    expectGolden(
      'step2-live-diff-c1.txt',
      (await cli.run(['live-diff', 'podinfo', ...NS, '-c', '1'])).stdout,
    );
  });

  it('step 3: publishing alpha2 starts podinfo-v2, which stays waiting on the image that cannot be pulled', async () => {
    const up = await cli.run(['up', 'podinfo', ...NS, '--publish-version', 'alpha2']);
    expect(normalizeOutput(up.stdout)).toBe(
      'Application examples/podinfo: published podinfo-v2 (alpha2, hash HASH000000000001)\n',
    );
    await eventually('podinfo-v2 to wait for health on both clusters', async () => {
      const view = await cli.stack.client.status(APP);
      return view.run?.revision === 'podinfo-v2' && view.waiting.length === 2 ? view : undefined;
    });
    expectGolden('step3-revision-list.txt', (await cli.run(['revision', 'list', 'podinfo', ...NS])).stdout);
    expectGolden('step3-status.txt', (await cli.run(['status', 'podinfo', ...NS])).stdout);
  });

  it('step 4: rollback returns the clusters to 6.0.1 and marks podinfo-v2 RolledBack', async () => {
    const dry = await cli.run(['rollback', 'podinfo', ...NS, '--dry-run']);
    expect(dry.stdout).toContain('dry run: rolling back from podinfo-v2 to podinfo-v1 would change:');
    expect(dry.stdout).toContain('+       - image: stefanprodan/podinfo:6.0.1');

    const rollback = await cli.run(['rollback', 'podinfo', ...NS]);
    expect(rollback.stdout).toBe(
      'rolled back from podinfo-v2 to podinfo-v1: 2 object(s) applied, 0 deleted; podinfo-v2 is RolledBack\n',
    );
    expect((await revisionOf('podinfo-v2'))?.status).toBe('RolledBack');
    const status = await cli.run(['status', 'podinfo', ...NS]);
    expect(status.stdout).toMatch(/Status: +running\n/);
    expect(status.stdout).toMatch(/Revision: +podinfo-v1 \(alpha1, Succeeded\)/);
    const tree = await eventually('both clusters to run 6.0.1 with 3 ready replicas again', async () => {
      const { stdout } = await cli.run([
        'status',
        'podinfo',
        ...NS,
        '--tree',
        '--detail',
        '--detail-format',
        'wide',
      ]);
      return stdout.split('Ready: 3/3').length === 3 ? stdout : undefined;
    });
    expect(tree.match(/Images: stefanprodan\/podinfo:6\.0\.1/g)).toHaveLength(2);
    expectGolden('step4-tree-wide.txt', tree);
  });

  it('step 5: publishing alpha4 while alpha3 waits terminates alpha3 (superseded)', async () => {
    const alpha3 = await cli.run(['up', 'podinfo', ...NS, '--publish-version', 'alpha3']);
    expect(alpha3.stdout).toContain('published podinfo-v3 (alpha3');
    await eventually('podinfo-v3 to wait for health', async () => {
      const view = await cli.stack.client.status(APP);
      return view.run?.revision === 'podinfo-v3' && view.waiting.length > 0 ? true : undefined;
    });
    const alpha4File = await writeApp('app-alpha4.yaml', (y) =>
      y.replace('6.0.1', '6.0.2').replace('alpha1', 'alpha4'),
    );
    const alpha4 = await cli.run(['up', '-f', alpha4File, '--wait', '--timeout', '90s']);
    const lines = alpha4.stdout.trimEnd().split('\n');
    expect(normalizeOutput(lines[0] ?? '')).toBe(
      'Application examples/podinfo: published podinfo-v4 (alpha4, hash HASH000000000001), superseding podinfo-v3',
    );
    expect(lines.at(-2)).toBe('podinfo-v4 Succeeded: deploy-hangzhou succeeded');
    expect(lines.at(-1)).toMatch(/^podinfo-v4 succeeded in \d/);
    // Plain output: one line per change, never a redraw.
    expect(alpha4.stdout).not.toContain('\u001b[');

    const v3 = await cli.run(['revision', 'get', 'podinfo-v3', ...NS]);
    expect(v3.stdout).toMatch(/Status: +Terminated \(succeeded: false\)/);
    expect(v3.stdout).toMatch(/Description: +superseded by podinfo-v4/);
  });

  it('step 6: re-publishing podinfo-v1 as beta1 keeps its hash, takes the next number and succeeds', async () => {
    const up = await cli.run([
      'up',
      'podinfo',
      ...NS,
      '--revision',
      'podinfo-v1',
      '--publish-version',
      'beta1',
      '--wait',
    ]);
    expect(up.stdout).toContain('published podinfo-v5 (beta1, hash');
    const list = await cli.run(['revision', 'list', 'podinfo', ...NS]);
    expectGolden('step6-revision-list.txt', list.stdout);
    const rows = list.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/));
    const v1 = rows.find((r) => r[0] === 'podinfo-v1');
    const v5 = rows.find((r) => r[0] === 'podinfo-v5');
    expect(v1?.slice(1, 3)).toEqual(['alpha1', 'true']);
    expect(v5?.slice(1, 3)).toEqual(['beta1', 'true']);
    expect(v5?.[3]).toMatch(/^[0-9a-f]{16}$/);
    expect(v5?.[3]).toBe(v1?.[3]);
    expect(v5?.at(-3)).toBe('Succeeded');
  });

  it('step 7: every workflow of the application is found by its search attribute', async () => {
    const ids: string[] = [];
    for await (const wf of cli.stack.temporal.workflow.list({ query: 'RevelaApp="examples/podinfo"' }))
      ids.push(wf.workflowId);
    // The rollback ran as its own workflow and state keep as the entity's child; both carry RevelaApp.
    expect(ids.some((id) => id.startsWith('rollback/examples/podinfo/'))).toBe(true);
    expect(ids.filter((id) => /^(app|rev)\//.test(id)).sort()).toEqual([
      'app/examples/podinfo',
      'rev/examples/podinfo-v1',
      'rev/examples/podinfo-v2',
      'rev/examples/podinfo-v3',
      'rev/examples/podinfo-v4',
      'rev/examples/podinfo-v5',
    ]);
    const json = JSON.parse((await cli.run(['revision', 'list', 'podinfo', ...NS, '-o', 'json'])).stdout) as {
      name: string;
    }[];
    expect(json.map((r) => r.name)).toEqual([
      'podinfo-v1',
      'podinfo-v2',
      'podinfo-v3',
      'podinfo-v4',
      'podinfo-v5',
    ]);
  });
});
