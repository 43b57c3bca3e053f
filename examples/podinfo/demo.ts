#!/usr/bin/env node
/**
 * `npm run demo`: the podinfo scenario (SCENARIO.md, steps 1–7) with the `revela` CLI, printing
 * every command and its output as a user would see them and checking what each step promises.
 * It uses the running stack (`npm start`) when there is one, else starts a throwaway one.
 * Exits 1 with the failed expectation when something is not as promised.
 *
 *   npm run demo                      # the running stack, or a throwaway one
 *   npm run demo -- --embedded        # always a throwaway stack
 *   npm run demo -- --embedded --keep # keep the throwaway stack (and its UI) until Ctrl-C
 */
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Checks,
  chooseTarget,
  ExpectationError,
  heading,
  revela,
  ROOT,
  until,
  type DemoTarget,
} from './demo-runner.js';

const APP = { name: 'podinfo', namespace: 'examples' };
const NS = ['-n', 'examples'] as const;

/** The rows of `revision list`, by revision name: [PUBLISH_VERSION, SUCCEEDED, HASH, date, time, STATUS, size, unit]. */
function revisionRows(table: string): Map<string, string[]> {
  return new Map(
    table
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/))
      .map(([name, ...rest]) => [name ?? '', rest]),
  );
}

async function waitingOn(target: DemoTarget, revision: string): Promise<true | undefined> {
  const view = await target.client.status(APP);
  return view.run?.revision === revision && view.waiting.length > 0 ? true : undefined;
}

async function scenario(target: DemoTarget, check: Checks, scratch: string): Promise<void> {
  const appYaml = await readFile(join(ROOT, 'examples/podinfo/app.yaml'), 'utf8');

  heading('1. Apply the policies, the workflow and the application (publishVersion alpha1)');
  const apply = await revela(target, [
    'apply',
    '-f',
    'examples/podinfo/policies.yaml',
    '-f',
    'examples/podinfo/workflow.yaml',
    '-f',
    'examples/podinfo/app.yaml',
  ]);
  check.contains(apply.stdout, 'published podinfo-v1 (alpha1', 'podinfo-v1 is published as alpha1');
  // Show the wait while the replicas come up (pods take ~1.5 s to become Ready on the local clusters).
  let waitingStatus: string | undefined;
  await until('podinfo-v1 to finish', async () => {
    const s = await revela(target, ['status', 'podinfo', ...NS], { quiet: true });
    if (s.stdout.includes('Unhealthy Ready:0/3')) waitingStatus ??= s.stdout;
    const meta = (await target.client.listRevisions(APP)).find((r) => r.name === 'podinfo-v1');
    return meta?.status === 'Succeeded' ? true : undefined;
  });
  if (waitingStatus) {
    process.stdout.write(
      `\n$ revela status podinfo -n examples      # while the replicas come up\n${waitingStatus}`,
    );
    check.contains(waitingStatus, /Status: +runningWorkflow/, 'while deploying, the app is runningWorkflow');
    check.contains(waitingStatus, 'message: wait healthy', 'step deploy-hangzhou says "wait healthy"');
  } else {
    process.stdout.write('\n(the rollout finished before status could show the wait)\n');
  }
  const status = await revela(target, ['status', 'podinfo', ...NS]);
  check.contains(status.stdout, /Status: +running\n/, 'then the app is running');
  const tree = await revela(target, ['status', 'podinfo', ...NS, '--tree', '--detail']);
  check.that(
    (
      tree.stdout.match(
        /Deployment\/podinfo updated .*Ready: 3\/3 {2}Up-to-date: 3 {2}Available: 3 {2}Age: /g,
      ) ?? []
    ).length === 2,
    'both Deployments are updated with Ready: 3/3 on hangzhou1 and hangzhou2',
  );

  heading('2. Change the image to 6.0.xxx (cannot be pulled) and apply without a new publishVersion');
  const edited = join(scratch, 'app.yaml');
  await writeFile(edited, appYaml.replace('stefanprodan/podinfo:6.0.1', 'stefanprodan/podinfo:6.0.xxx'));
  process.stdout.write(
    `\n(edit ${edited}: image stefanprodan/podinfo:6.0.1 → stefanprodan/podinfo:6.0.xxx)\n`,
  );
  const draft = await revela(target, ['apply', '-f', edited]);
  check.contains(draft.stdout, 'nothing runs', 'the edit is saved as the draft and nothing runs');
  const diff = await revela(target, ['live-diff', 'podinfo', ...NS]);
  check.contains(
    diff.stdout,
    '-       image: stefanprodan/podinfo:6.0.1\n+       image: stefanprodan/podinfo:6.0.xxx',
    'live-diff shows the image change',
  );
  check.that(
    (diff.stdout.match(/has no change/g) ?? []).length === 3,
    'both external policies and the external workflow have no change',
  );

  heading('3. Publish alpha2: podinfo-v2 waits for pods that never become ready');
  const alpha2 = await revela(target, ['up', 'podinfo', ...NS, '--publish-version', 'alpha2']);
  check.contains(alpha2.stdout, 'published podinfo-v2 (alpha2', 'podinfo-v2 is published as alpha2');
  await until('podinfo-v2 to wait for health', () => waitingOn(target, 'podinfo-v2'));
  const waiting = await revela(target, ['status', 'podinfo', ...NS]);
  check.contains(waiting.stdout, 'message: wait healthy', 'podinfo-v2 waits healthy');
  check.contains(waiting.stdout, 'Unhealthy Ready:0/3', 'with Ready:0/3 on the new pods');
  const list3 = revisionRows((await revela(target, ['revision', 'list', 'podinfo', ...NS])).stdout);
  check.that(
    list3.get('podinfo-v1')?.slice(0, 2).join(' ') === 'alpha1 true' &&
      list3.get('podinfo-v1')?.[5] === 'Succeeded',
    'podinfo-v1 alpha1 true … Succeeded',
  );
  check.that(
    list3.get('podinfo-v2')?.slice(0, 2).join(' ') === 'alpha2 false' &&
      list3.get('podinfo-v2')?.[5] === 'Executing',
    'podinfo-v2 alpha2 false … Executing',
  );
  check.that(
    [...list3.values()].every((r) => /^[0-9a-f]{16}$/.test(r[2] ?? '')),
    'hashes are 16 hex characters',
  );

  heading('4. Roll back: the clusters run 6.0.1 again, podinfo-v2 is RolledBack');
  const rollback = await revela(target, ['rollback', 'podinfo', ...NS]);
  check.contains(rollback.stdout, 'rolled back from podinfo-v2 to podinfo-v1', 'rolled back to podinfo-v1');
  await until('both clusters to be ready on 6.0.1', async () => {
    const r = await revela(target, ['status', 'podinfo', ...NS, '--tree'], { quiet: true });
    return (r.stdout.match(/Deployment\/podinfo updated/g) ?? []).length === 2 ? true : undefined;
  });
  const wide = await revela(target, [
    'status',
    'podinfo',
    ...NS,
    '--tree',
    '--detail',
    '--detail-format',
    'wide',
  ]);
  check.that(
    (wide.stdout.match(/Images: stefanprodan\/podinfo:6\.0\.1/g) ?? []).length === 2,
    'status --tree --detail --detail-format wide shows Images: stefanprodan/podinfo:6.0.1 on both clusters',
  );
  const back = await revela(target, ['status', 'podinfo', ...NS]);
  check.contains(
    back.stdout,
    /Status: +running\n {2}Revision: +podinfo-v1 /,
    'the app is running at podinfo-v1',
  );
  const list4 = revisionRows((await revela(target, ['revision', 'list', 'podinfo', ...NS])).stdout);
  check.that(list4.get('podinfo-v2')?.[5] === 'RolledBack', 'podinfo-v2 is marked RolledBack');

  heading('5. Publish alpha3 (still the unpullable image, so it waits), then alpha4 while alpha3 waits');
  const alpha3 = await revela(target, ['up', 'podinfo', ...NS, '--publish-version', 'alpha3']);
  check.contains(alpha3.stdout, 'published podinfo-v3 (alpha3', 'podinfo-v3 is published as alpha3');
  await until('podinfo-v3 to wait for health', () => waitingOn(target, 'podinfo-v3'));
  const alpha4File = join(scratch, 'app-alpha4.yaml');
  await writeFile(
    alpha4File,
    appYaml
      .replace('stefanprodan/podinfo:6.0.1', 'stefanprodan/podinfo:6.0.2')
      .replace('publishVersion: alpha1', 'publishVersion: alpha4'),
  );
  process.stdout.write(`\n(edit ${alpha4File}: image stefanprodan/podinfo:6.0.2, publishVersion alpha4)\n`);
  const alpha4 = await revela(target, ['up', '-f', alpha4File, '--wait', '--timeout', '2m']);
  check.contains(
    alpha4.stdout,
    /published podinfo-v4 \(alpha4, hash [0-9a-f]{16}\), superseding podinfo-v3/,
    'podinfo-v4 supersedes podinfo-v3',
  );
  check.contains(alpha4.stdout, 'podinfo-v4 succeeded in', 'podinfo-v4 succeeds');
  const v3 = await revela(target, ['revision', 'get', 'podinfo-v3', ...NS]);
  check.contains(v3.stdout, /Status: +Terminated/, 'podinfo-v3 is Terminated');
  check.contains(v3.stdout, 'superseded by podinfo-v4', 'because podinfo-v4 superseded it');

  heading('6. Re-publish podinfo-v1 as beta1: same hash, next number, the whole workflow runs again');
  const beta1 = await revela(target, [
    'up',
    'podinfo',
    ...NS,
    '--revision',
    'podinfo-v1',
    '--publish-version',
    'beta1',
    '--wait',
  ]);
  check.contains(beta1.stdout, 'published podinfo-v5 (beta1', 'podinfo-v5 is published as beta1');
  const list6 = revisionRows((await revela(target, ['revision', 'list', 'podinfo', ...NS])).stdout);
  const v1 = list6.get('podinfo-v1');
  const v5 = list6.get('podinfo-v5');
  check.that(
    v1?.slice(0, 2).join(' ') === 'alpha1 true' && v1[5] === 'Succeeded',
    'podinfo-v1 alpha1 true <hash> … Succeeded',
  );
  check.that(
    v5?.slice(0, 2).join(' ') === 'beta1 true' && v5[5] === 'Succeeded',
    'podinfo-v5 beta1 true <hash> … Succeeded',
  );
  check.that(v5?.[2] === v1?.[2], `beta1 has exactly the hash of podinfo-v1 (${v1?.[2] ?? '?'})`);

  heading('7. In the Temporal UI');
  process.stdout.write(
    `\nOpen ${target.uiUrl} — the application, every revision workflow and its activities, with search attributes.\n` +
      `\n$ temporal workflow list --query 'RevelaApp="examples/podinfo"'      # the same list through the client:\n`,
  );
  const rows: string[][] = [];
  for await (const wf of target.client.temporal.workflow.list({ query: 'RevelaApp="examples/podinfo"' })) {
    const attribute = (key: string) => {
      const value = (wf.searchAttributes as Record<string, unknown[] | undefined>)[key]?.[0];
      return typeof value === 'string' ? value : '-';
    };
    rows.push([
      wf.workflowId,
      wf.type,
      wf.status.name,
      attribute('RevelaPublishVersion'),
      attribute('RevelaPhase'),
    ]);
  }
  rows.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  const header = ['WORKFLOW ID', 'TYPE', 'STATUS', 'PUBLISH_VERSION', 'PHASE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows])
    process.stdout.write(
      `${r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  // Besides these, the rollback ran as its own workflow and state keep as the entity's child.
  check.that(
    rows
      .filter((r) => r[1] === 'application' || r[1] === 'revision')
      .map((r) => r[0])
      .join(' ') ===
      'app/examples/podinfo rev/examples/podinfo-v1 rev/examples/podinfo-v2 rev/examples/podinfo-v3 rev/examples/podinfo-v4 rev/examples/podinfo-v5' &&
      rows.some((r) => r[1] === 'rollback'),
    'the application, its five revision workflows and the rollback are found by RevelaApp="examples/podinfo"',
  );
}

/** Resolves with an exit code on Ctrl-C, SIGTERM or a closed stdout (`npm run demo | head`). */
function interruption(): Promise<number> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve(130));
    process.once('SIGTERM', () => resolve(143));
    process.stdout.on('error', () => resolve(1));
  });
}

async function main(): Promise<number> {
  const embedded = process.argv.includes('--embedded') || process.env.REVELA_DEMO_EMBEDDED === '1';
  const keep = process.argv.includes('--keep');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log('Revela demo: the podinfo scenario (examples/podinfo/SCENARIO.md) with the revela CLI');
  const started = Date.now();
  const target = await chooseTarget({ embedded, log });
  // From here on the throwaway stack is stopped however the demo ends.
  const interrupted = interruption();
  log(`Using ${target.description}.`);
  const scratch = await mkdtemp(join(tmpdir(), 'revela-demo-files-'));
  const check = new Checks();
  try {
    const code = await Promise.race([scenario(target, check, scratch).then(() => 0), interrupted]);
    if (code !== 0) return code;
    log(`\n✓ demo passed: ${check.passed} checks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (keep && target.embedded) {
      log(`\nThe throwaway stack keeps running (UI ${target.uiUrl}); point the CLI at it with:`);
      log(
        `  export TEMPORAL_ADDRESS=${target.env.TEMPORAL_ADDRESS ?? ''} REVELA_KUBECONFIG=${target.env.REVELA_KUBECONFIG ?? ''} REVELA_CLUSTERS=${target.env.REVELA_CLUSTERS ?? ''}`,
      );
      log('Ctrl-C stops it.');
      await interrupted;
    } else if (target.embedded) {
      log(
        '(the throwaway stack stops now; `npm run demo -- --embedded --keep` keeps it, or run `npm start` first)',
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof ExpectationError) {
      process.stderr.write(`\n✗ demo failed after ${check.passed} checks: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await target.stop();
  }
}

try {
  process.exit(await main());
} catch (err) {
  process.stderr.write(`\n✗ demo could not run: ${(err as Error).message}\n`);
  process.exit(1);
}
