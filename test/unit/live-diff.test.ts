import { describe, expect, it } from 'vitest';
import { withPublishVersion } from '../../model/application.js';
import {
  diffInputFromDraft,
  diffInputFromSnapshot,
  diffRendered,
  elideContext,
  formatLiveDiff,
  formatRenderedDiff,
  hasChanges,
  liveDiff,
} from '../../model/diff.js';
import { resolvePlacement } from '../../model/placement.js';
import type { Policy } from '../../model/policy.js';
import { renderTargets } from '../../model/render.js';
import type { RevisionSnapshot } from '../../model/snapshot.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';
import { expectGolden } from './helpers/golden.js';
import { podinfoApp, podinfoCatalog, podinfoClusters, withImage } from './helpers/podinfo.js';

const EDITED_IMAGE = 'stefanprodan/podinfo:6.0.xxx';

/** The example of `vela live-diff` in KubeVela's version-control guide (the shared reference). */
const KUBEVELA_EXAMPLE = `* Application (podinfo) has been modified(*)
  ...
    - name: podinfo
      properties:
-       image: stefanprodan/podinfo:6.0.1
+       image: stefanprodan/podinfo:6.0.xxx
      type: webservice
  ...
* External Policy (topology-hangzhou-clusters) has no change
* External Policy (override-high-availability) has no change
* External Workflow (make-release-in-hangzhou) has no change
`;

function revisionV1(): RevisionSnapshot {
  return buildSnapshot({ application: podinfoApp(), catalog: podinfoCatalog() });
}

function draftWithEditedImage() {
  return diffInputFromDraft(withImage(podinfoApp(), EDITED_IMAGE), podinfoCatalog());
}

async function renderPodinfo(snapshot: RevisionSnapshot, revision: string) {
  return renderTargets(
    snapshot,
    resolvePlacement(
      snapshot,
      ['topology-hangzhou-clusters', 'override-high-availability'],
      podinfoClusters(),
    ),
    revision,
  );
}

describe('live-diff of the podinfo scenario', () => {
  it("prints the image edit the way KubeVela's guide shows it", () => {
    const text = formatLiveDiff(liveDiff(diffInputFromSnapshot(revisionV1()), draftWithEditedImage()), {
      context: 2,
    });
    const [appHeader, ...rest] = KUBEVELA_EXAMPLE.split('\n');
    const lines = text.split('\n');
    expect(lines[0]).toBe(appHeader);
    // KubeVela's guide trims the context after the change by hand; every line it shows is ours, in order.
    const changeBlock = rest.slice(1, 6);
    const start = lines.indexOf(changeBlock[0] ?? '');
    expect(lines.slice(start, start + changeBlock.length)).toEqual(changeBlock);
    expect(lines[1]).toBe('  ...');
    expect(lines.slice(-4)).toEqual([
      '* External Policy (topology-hangzhou-clusters) has no change',
      '* External Policy (override-high-availability) has no change',
      '* External Workflow (make-release-in-hangzhou) has no change',
      '',
    ]);
    expectGolden('podinfo-live-diff-c2.txt', text);
  });

  it('reports the Application modified and both policies and the workflow unchanged', () => {
    const report = liveDiff(diffInputFromSnapshot(revisionV1()), draftWithEditedImage());
    expect(report.entries.map((e) => [e.kind, e.name, e.change])).toEqual([
      ['Application', 'podinfo', 'modified'],
      ['External Policy', 'topology-hangzhou-clusters', 'unchanged'],
      ['External Policy', 'override-high-availability', 'unchanged'],
      ['External Workflow', 'make-release-in-hangzhou', 'unchanged'],
    ]);
    expect(report.entries[0]?.lines.filter((l) => !l.startsWith('  '))).toEqual([
      '-       image: stefanprodan/podinfo:6.0.1',
      '+       image: stefanprodan/podinfo:6.0.xxx',
    ]);
  });

  it('shows the whole application by default (vela live-diff -c -1)', () => {
    const text = formatLiveDiff(liveDiff(diffInputFromSnapshot(revisionV1()), draftWithEditedImage()));
    expect(text).not.toContain('...');
    expectGolden('podinfo-live-diff.txt', text);
  });

  it('ignores a publishVersion change', () => {
    const draft = diffInputFromDraft(withPublishVersion(podinfoApp(), 'alpha2'), podinfoCatalog());
    const report = liveDiff(diffInputFromSnapshot(revisionV1()), draft);
    expect(hasChanges(report)).toBe(false);
    expect(formatLiveDiff(report).split('\n')[0]).toBe('* Application (podinfo) has no change');
  });

  it('shows an edited external policy as modified with its YAML diff', () => {
    const catalog = podinfoCatalog();
    const override = catalog.policies['override-high-availability'] as Policy;
    catalog.policies['override-high-availability'] = {
      ...override,
      properties: {
        components: [{ type: 'webservice', traits: [{ type: 'scaler', properties: { replicas: 5 } }] }],
      },
    };
    const report = liveDiff(diffInputFromSnapshot(revisionV1()), diffInputFromDraft(podinfoApp(), catalog), {
      context: 0,
    });
    expect(formatLiveDiff(report)).toBe(
      [
        '* Application (podinfo) has no change',
        '* External Policy (topology-hangzhou-clusters) has no change',
        '* External Policy (override-high-availability) has been modified(*)',
        '  ...',
        '-         replicas: 3',
        '+         replicas: 5',
        '  ...',
        '* External Workflow (make-release-in-hangzhou) has no change',
        '',
      ].join('\n'),
    );
  });

  it('shows a policy the draft stops using as removed, and a new one as added', () => {
    const catalog = podinfoCatalog();
    catalog.policies['topology-beijing'] = {
      apiVersion: 'core.oam.dev/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'topology-beijing', namespace: 'examples' },
      type: 'topology',
      properties: { clusters: ['beijing1'] },
    };
    const app = podinfoApp();
    app.spec.workflow = {
      steps: [{ name: 'deploy-beijing', type: 'deploy', properties: { policies: ['topology-beijing'] } }],
    };
    const report = liveDiff(diffInputFromSnapshot(revisionV1()), diffInputFromDraft(app, catalog));
    expect(report.entries.map((e) => [e.kind, e.name, e.change])).toEqual([
      ['Application', 'podinfo', 'modified'],
      ['External Policy', 'topology-hangzhou-clusters', 'removed'],
      ['External Policy', 'override-high-availability', 'removed'],
      ['External Policy', 'topology-beijing', 'added'],
      ['External Workflow', 'make-release-in-hangzhou', 'removed'],
    ]);
    expect(report.entries[3]?.lines[0]).toBe('+ apiVersion: core.oam.dev/v1alpha1');
    expect(report.entries[1]?.lines.every((l) => l.startsWith('- '))).toBe(true);
  });

  it('compares two revisions', () => {
    const v2 = buildSnapshot({
      application: withImage(withPublishVersion(podinfoApp(), 'alpha2'), EDITED_IMAGE),
      catalog: podinfoCatalog(),
    });
    const report = liveDiff(diffInputFromSnapshot(revisionV1()), diffInputFromSnapshot(v2), { context: 1 });
    expect(report.entries.map((e) => e.change)).toEqual(['modified', 'unchanged', 'unchanged', 'unchanged']);
    expect(report.entries[0]?.lines).toEqual([
      '  ...',
      '      properties:',
      '-       image: stefanprodan/podinfo:6.0.1',
      '+       image: stefanprodan/podinfo:6.0.xxx',
      '      type: webservice',
      '  ...',
    ]);
  });

  it('diffs the rendered Deployments of two revisions per cluster, ignoring the revision label', async () => {
    const v1 = revisionV1();
    const v2 = buildSnapshot({
      application: withImage(podinfoApp(), EDITED_IMAGE),
      catalog: podinfoCatalog(),
    });
    const report = diffRendered(
      await renderPodinfo(v1, 'podinfo-v1'),
      await renderPodinfo(v2, 'podinfo-v2'),
      { context: 1 },
    );
    expect(report.entries.map((e) => `${e.kind} ${e.name} ${e.change}`)).toEqual([
      'Deployment hangzhou1/examples/podinfo modified',
      'Deployment hangzhou2/examples/podinfo modified',
    ]);
    const text = formatRenderedDiff(report);
    expect(text).toContain('* Deployment (hangzhou1/examples/podinfo) has been modified(*)');
    expect(text).not.toContain('app.oam.dev/revision');
    expectGolden('podinfo-rendered-diff-c1.txt', text);
  });

  it('reports rendered objects that appear or disappear as added and removed', async () => {
    const v1 = revisionV1();
    const onlyHangzhou1 = (await renderPodinfo(v1, 'podinfo-v2')).filter((r) => r.cluster === 'hangzhou1');
    const report = diffRendered(await renderPodinfo(v1, 'podinfo-v1'), onlyHangzhou1);
    expect(report.entries.map((e) => `${e.name} ${e.change}`)).toEqual([
      'hangzhou1/examples/podinfo unchanged',
      'hangzhou2/examples/podinfo removed',
    ]);
    expect(formatRenderedDiff(report).split('\n')[0]).toBe(
      '* Deployment (hangzhou1/examples/podinfo) has no change',
    );
  });
});

describe('context elision', () => {
  const lines = ['  a', '  b', '  c', '- d', '+ D', '  e', '  f', '  g', '  h', '- i'];

  it('keeps N lines around each change and folds each other run into one "  ..." line', () => {
    expect(elideContext(lines, 1)).toEqual(['  ...', '  c', '- d', '+ D', '  e', '  ...', '  h', '- i']);
  });

  it('keeps only changed lines with context 0 and everything with a negative context', () => {
    expect(elideContext(lines, 0)).toEqual(['  ...', '- d', '+ D', '  ...', '- i']);
    expect(elideContext(lines, -1)).toEqual(lines);
  });
});
