import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionTemporalCli } from '../../dev/temporal-cli.js';
import type { Application } from '../../model/application.js';
import { applicationWorkflowId, revisionWorkflowId } from '../../model/ids.js';
import { loadDocuments } from '../../cli/load-documents.js';
import type { RevelaDocument } from '../../model/document.js';
import { deploymentIn } from '../harness/cluster-objects.js';
import { recordHistory } from '../harness/histories.js';
import { eventually, startTestStack, type TestStack } from '../harness/stack.js';

const execFileAsync = promisify(execFile);
const EXAMPLE = new URL('../../examples/podinfo/', import.meta.url).pathname;
const PODINFO = { name: 'podinfo', namespace: 'examples' };

async function exampleDocuments(): Promise<RevelaDocument[]> {
  return (
    await Promise.all(['policies.yaml', 'workflow.yaml', 'app.yaml'].map((f) => loadDocuments(EXAMPLE + f)))
  ).flat();
}

function withImage(app: Application, image: string): Application {
  return {
    ...app,
    spec: {
      ...app.spec,
      components: app.spec.components.map((c) => ({ ...c, properties: { ...(c.properties ?? {}), image } })),
    },
  };
}

async function deploymentImage(stack: TestStack, cluster: string): Promise<string | undefined> {
  return (await deploymentIn(stack.clusters, cluster, 'examples', 'podinfo'))?.image;
}

/**
 * SCENARIO.md steps 1–6 against the real dev server and real clusters: the version-control
 * walk-through from KubeVela's guide, with Revela's stricter revision rules.
 */
describe('the podinfo scenario', () => {
  let stack: TestStack;
  let app: Application;

  beforeAll(async () => {
    // Rollouts take 2 s so the health wait of a valid image is visible; `xxx` images never become ready.
    stack = await startTestStack({ rollout: 'slow' });
    const docs = await exampleDocuments();
    app = docs.find((d): d is Application => d.kind === 'Application') as Application;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('1. publishes podinfo-v1 (alpha1), waits until both hangzhou clusters are healthy, then runs', async () => {
    const outcomes = await stack.client.apply(await exampleDocuments());
    expect(outcomes.map((o) => `${o.kind}/${o.name}:${o.result}`)).toEqual([
      'Policy/override-high-availability:created',
      'Policy/topology-hangzhou-clusters:created',
      'Workflow/make-release-in-hangzhou:created',
      'Application/podinfo:published',
    ]);
    expect(outcomes.at(-1)?.revision).toMatchObject({
      revision: 'podinfo-v1',
      number: 1,
      publishVersion: 'alpha1',
    });

    const waiting = await eventually('the deploy step to wait for health', async () => {
      const s = await stack.client.status(PODINFO);
      const step = s.run?.steps[0];
      return s.app.phase === 'runningWorkflow' && step?.message === 'wait healthy' && s.waiting.length > 0
        ? s
        : undefined;
    });
    expect(waiting.run?.steps[0]).toMatchObject({
      name: 'deploy-hangzhou',
      type: 'deploy',
      phase: 'running',
    });
    expect(waiting.waiting.join('\n')).toMatch(
      /hangzhou[12]\/examples\/podinfo is not healthy: Ready:[0-2]\/3/,
    );
    expect(waiting.services.some((s) => !s.healthy && /^Ready:[0-2]\/3$/.test(s.message))).toBe(true);

    const v1 = await stack.client.waitForRevision(PODINFO, 'podinfo-v1', { timeoutMs: 60_000 });
    expect(v1).toMatchObject({ status: 'Succeeded', succeeded: true, publishVersion: 'alpha1' });
    expect(v1.hash).toMatch(/^[0-9a-f]{16}$/);

    const running = await stack.client.status(PODINFO);
    expect(running.app.phase).toBe('running');
    expect(
      running.services.map((s) => `${s.cluster} ${s.healthy ? 'Healthy' : 'Unhealthy'} ${s.message}`),
    ).toEqual(['hangzhou1 Healthy Ready:3/3', 'hangzhou2 Healthy Ready:3/3']);
    const tree = await stack.client.diffs.resourceTree(PODINFO);
    expect(
      tree.map((r) => `${r.cluster} ${r.namespace} ${r.resource} ${r.status} ${r.details.Ready}`),
    ).toEqual([
      'hangzhou1 examples Deployment/podinfo updated 3/3',
      'hangzhou2 examples Deployment/podinfo updated 3/3',
    ]);
    expect(tree[0]?.details).toMatchObject({ 'Up-to-date': 3, Available: 3 });
    expect(tree[0]?.details.Age).toMatch(/^\d+s$/);
    expect(await stack.clusters.deployment('local', 'examples', 'podinfo')).toBeUndefined();
  });

  it('2. an image edit without a new publishVersion runs nothing; live-diff shows it', async () => {
    const [outcome] = await stack.client.apply([withImage(app, 'stefanprodan/podinfo:6.0.xxx')]);
    expect(outcome).toMatchObject({ result: 'saved' });
    expect(outcome?.message).toMatch(/draft saved; publishVersion alpha1 is already published as podinfo-v1/);
    expect((await stack.client.listRevisions(PODINFO)).map((r) => r.name)).toEqual(['podinfo-v1']);
    expect(await deploymentImage(stack, 'hangzhou1')).toBe('stefanprodan/podinfo:6.0.1');

    const diff = await stack.client.diffs.liveDiff(PODINFO, { context: 2 });
    expect(diff).toContain('* Application (podinfo) has been modified(*)');
    expect(diff).toContain('-       image: stefanprodan/podinfo:6.0.1');
    expect(diff).toContain('+       image: stefanprodan/podinfo:6.0.xxx');
    expect(diff).toContain('* External Policy (topology-hangzhou-clusters) has no change');
    expect(diff).toContain('* External Policy (override-high-availability) has no change');
    expect(diff).toContain('* External Workflow (make-release-in-hangzhou) has no change');
  });

  it('3. publishing alpha2 starts podinfo-v2, which waits with Ready:0/3', async () => {
    const v2 = await stack.client.publish({ ...PODINFO, publishVersion: 'alpha2' });
    expect(v2).toMatchObject({ revision: 'podinfo-v2', number: 2, publishVersion: 'alpha2' });
    const waiting = await eventually(
      'podinfo-v2 to report Ready:0/3 on both clusters',
      async () => {
        const s = await stack.client.status(PODINFO);
        // Both clusters' health waits run at once; each names itself from its first look on.
        const both = ['hangzhou1', 'hangzhou2'].every((c) =>
          s.waiting.some((w) => w.startsWith(`${c}/examples/podinfo is not healthy: Ready:0/3`)),
        );
        return both ? s : undefined;
      },
      { describe: async () => JSON.stringify(await stack.client.status(PODINFO)) },
    );
    expect(waiting.waiting.join('; ')).toContain('hangzhou1/examples/podinfo is not healthy: Ready:0/3');
    expect(waiting.app.phase).toBe('runningWorkflow');

    const revisions = await stack.client.listRevisions(PODINFO);
    expect(revisions.map((r) => [r.name, r.publishVersion, r.succeeded, r.status])).toEqual([
      ['podinfo-v1', 'alpha1', true, 'Succeeded'],
      ['podinfo-v2', 'alpha2', false, 'Executing'],
    ]);
    for (const r of revisions) {
      expect(r.hash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.size).toBeGreaterThan(1000);
      expect(Date.parse(r.beginTime)).not.toBeNaN();
    }
    expect(revisions[0]?.hash).not.toBe(revisions[1]?.hash);
  });

  it('4. rollback restores image 6.0.1 on both clusters and marks podinfo-v2 RolledBack', async () => {
    const dryRun = await stack.client.rollback({ ...PODINFO, dryRun: true });
    expect(dryRun).toMatchObject({ from: 'podinfo-v2', to: 'podinfo-v1', dryRun: true, applied: 0 });
    expect(dryRun.diff).toContain('has been modified(*)');
    expect(dryRun.diff).toContain('image: stefanprodan/podinfo:6.0.1');

    const result = await stack.client.rollback(PODINFO);
    expect(result).toMatchObject({
      from: 'podinfo-v2',
      to: 'podinfo-v1',
      dryRun: false,
      applied: 2,
      deleted: 0,
    });
    expect(await deploymentImage(stack, 'hangzhou1')).toBe('stefanprodan/podinfo:6.0.1');
    expect(await deploymentImage(stack, 'hangzhou2')).toBe('stefanprodan/podinfo:6.0.1');

    const s = await stack.client.status(PODINFO);
    expect(s.app.currentRevision?.name).toBe('podinfo-v1');
    expect(s.app.phase).toBe('running');
    const v2 = s.app.revisions.find((r) => r.name === 'podinfo-v2');
    expect(v2).toMatchObject({
      status: 'RolledBack',
      succeeded: false,
      description: 'rolled back to podinfo-v1',
    });
    // The abandoned run really stopped: its workflow is closed.
    const v2run = await stack.temporal.workflow
      .getHandle(revisionWorkflowId('examples', 'podinfo-v2'))
      .describe();
    expect(v2run.status.name).not.toBe('RUNNING');

    const tree = await stack.client.diffs.resourceTree(PODINFO);
    expect(tree.map((r) => `${r.cluster} ${r.resource} ${r.status} ${r.details.Images}`)).toEqual([
      'hangzhou1 Deployment/podinfo updated stefanprodan/podinfo:6.0.1',
      'hangzhou2 Deployment/podinfo updated stefanprodan/podinfo:6.0.1',
    ]);
  });

  it('5. publishing alpha4 while alpha3 waits terminates alpha3 before v4 applies anything', async () => {
    const v3 = await stack.client.publish({
      app: withImage(app, 'stefanprodan/podinfo:6.0.2'),
      publishVersion: 'alpha3',
    });
    expect(v3.revision).toBe('podinfo-v3');
    await eventually('podinfo-v3 to wait for health', async () => {
      const s = await stack.client.status(PODINFO);
      return s.run?.revision === 'podinfo-v3' && s.run.steps[0]?.message === 'wait healthy' ? s : undefined;
    });
    const v4 = await stack.client.publish({
      app: withImage(app, 'stefanprodan/podinfo:6.0.3'),
      publishVersion: 'alpha4',
    });
    expect(v4).toMatchObject({ revision: 'podinfo-v4', superseded: 'podinfo-v3' });

    const revisions = await stack.client.listRevisions(PODINFO);
    expect(revisions.find((r) => r.name === 'podinfo-v3')).toMatchObject({
      status: 'Terminated',
      succeeded: false,
      description: 'superseded by podinfo-v4',
    });
    const v3run = await stack.temporal.workflow
      .getHandle(revisionWorkflowId('examples', 'podinfo-v3'))
      .describe();
    const v4run = await stack.temporal.workflow
      .getHandle(revisionWorkflowId('examples', 'podinfo-v4'))
      .describe();
    expect(v3run.status.name).toBe('CANCELLED');
    // The entity starts v4 only after v3 closed, so nothing of v4 can have been applied before.
    expect(v3run.closeTime?.getTime()).toBeLessThanOrEqual(v4run.startTime.getTime());
    const v3status = await stack.temporal.workflow
      .getHandle(v3run.workflowId)
      .query<{ steps: { phase: string; reason?: string }[] }>('revisionStatus');
    expect(v3status.steps[0]).toMatchObject({ phase: 'failed', reason: 'Superseded' });

    expect(await stack.client.waitForRevision(PODINFO, 'podinfo-v4', { timeoutMs: 60_000 })).toMatchObject({
      status: 'Succeeded',
    });
    expect(await deploymentImage(stack, 'hangzhou2')).toBe('stefanprodan/podinfo:6.0.3');
    await recordHistory(stack.temporal.workflow.getHandle(v3run.workflowId), 'revision-superseded');
  });

  it('6. re-publishing podinfo-v1 as beta1 keeps its hash, takes the next number and succeeds', async () => {
    const v1 = (await stack.client.listRevisions(PODINFO)).find((r) => r.name === 'podinfo-v1');
    const beta1 = await stack.client.publish({
      ...PODINFO,
      publishVersion: 'beta1',
      fromRevision: 'podinfo-v1',
    });
    expect(beta1).toMatchObject({
      revision: 'podinfo-v5',
      number: 5,
      publishVersion: 'beta1',
      hash: v1?.hash,
    });
    const done = await stack.client.waitForRevision(PODINFO, 'podinfo-v5', { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'Succeeded', sourceRevision: 'podinfo-v1', hash: v1?.hash });
    expect(await deploymentImage(stack, 'hangzhou1')).toBe('stefanprodan/podinfo:6.0.1');

    await expect(stack.client.publish({ ...PODINFO, publishVersion: 'beta1' })).rejects.toMatchObject({
      type: 'PublishVersionInUse',
    });
    expect((await stack.client.listRevisions(PODINFO)).map((r) => r.number)).toEqual([1, 2, 3, 4, 5]);

    await recordHistory(
      stack.temporal.workflow.getHandle(revisionWorkflowId('examples', 'podinfo-v5')),
      'revision-republished',
    );
    await recordHistory(
      stack.temporal.workflow.getHandle(applicationWorkflowId('examples', 'podinfo')),
      'application-scenario',
    );
    await recordHistory(stack.temporal.workflow.getHandle('catalog/examples'), 'catalog-examples');
  });

  it('7. `temporal workflow list` finds the application and every revision by RevelaApp', async () => {
    const cli = await provisionTemporalCli({ log: () => undefined });
    if (cli.kind !== 'binary') throw new Error('the Temporal CLI binary is needed for this test');
    const { stdout } = await execFileAsync(cli.path, [
      'workflow',
      'list',
      '--address',
      inject('temporalAddress'),
      '--namespace',
      stack.namespace,
      '--query',
      'RevelaApp="examples/podinfo"',
      '--output',
      'json',
    ]);
    const ids = (JSON.parse(stdout) as { execution: { workflowId: string } }[]).map(
      (w) => w.execution.workflowId,
    );
    // The rollback of step 4 ran as its own workflow; state keep runs as the entity's child.
    expect(ids.some((id) => id.startsWith('rollback/examples/podinfo/'))).toBe(true);
    expect([...new Set(ids.filter((id) => /^(app|rev)\//.test(id)))].sort()).toEqual([
      'app/examples/podinfo',
      'rev/examples/podinfo-v1',
      'rev/examples/podinfo-v2',
      'rev/examples/podinfo-v3',
      'rev/examples/podinfo-v4',
      'rev/examples/podinfo-v5',
    ]);
  });
});
