import { describe, expect, it } from 'vitest';
import type { ResourceTreeRow } from '../../../kube/resource-tree.js';
import { formatDetailInline, formatResourceTree, treePrefixes } from '../../../cli/output/resource-tree.js';

const APPLIED = new Date(2022, 3, 13, 19, 32, 3).toISOString();

function deployment(cluster: string, image = 'stefanprodan/podinfo:6.0.1'): ResourceTreeRow {
  return {
    cluster,
    namespace: 'examples',
    resource: 'Deployment/podinfo',
    status: 'updated',
    applyTime: APPLIED,
    details: {
      Ready: '3/3',
      'Up-to-date': 3,
      Available: 3,
      Age: '17m',
      Containers: 'podinfo',
      Images: image,
      Selector: 'app.oam.dev/component=podinfo',
    },
  };
}

describe('status --tree', () => {
  it("prints KubeVela's example row in the wide detail format", () => {
    const text = formatResourceTree([deployment('hangzhou1'), deployment('hangzhou2')], {
      detail: true,
      detailFormat: 'wide',
    });
    expect(text.split('\n')).toEqual([
      'CLUSTER       NAMESPACE     RESOURCE           STATUS  APPLY_TIME          DETAIL',
      'hangzhou1 ─── examples  ─── Deployment/podinfo updated 2022-04-13 19:32:03 Ready: 3/3  Up-to-date: 3  Available: 3  Age: 17m  Containers: podinfo  Images: stefanprodan/podinfo:6.0.1  Selector: app.oam.dev/component=podinfo',
      'hangzhou2 ─── examples  ─── Deployment/podinfo updated 2022-04-13 19:32:03 Ready: 3/3  Up-to-date: 3  Available: 3  Age: 17m  Containers: podinfo  Images: stefanprodan/podinfo:6.0.1  Selector: app.oam.dev/component=podinfo',
    ]);
  });

  it('leaves containers, images and the selector to the wide form', () => {
    expect(formatDetailInline(deployment('local').details)).toBe(
      'Ready: 3/3  Up-to-date: 3  Available: 3  Age: 17m',
    );
  });

  it('shows only STATUS without --detail', () => {
    expect(formatResourceTree([deployment('local')]).split('\n')).toEqual([
      'CLUSTER     NAMESPACE     RESOURCE           STATUS',
      'local   ─── examples  ─── Deployment/podinfo updated',
    ]);
  });

  it('branches when a cluster has several namespaces or a namespace several resources', () => {
    const rows: ResourceTreeRow[] = [
      { cluster: 'local', namespace: 'default', resource: 'Deployment/web', status: 'updated', details: {} },
      { cluster: 'local', namespace: 'default', resource: 'Service/web', status: 'outdated', details: {} },
      { cluster: 'local', namespace: 'default', resource: 'ConfigMap/web', status: 'updated', details: {} },
      {
        cluster: 'local',
        namespace: 'kube-system',
        resource: 'ConfigMap/x',
        status: 'not-deployed',
        details: {},
      },
      { cluster: 'remote', namespace: '', resource: 'Namespace/team', status: 'updated', details: {} },
    ];
    expect(treePrefixes(rows).map((p) => `${p.cluster}${p.namespace}`.trimEnd())).toEqual([
      'local   ─┬─ default     ─┬─',
      '         │               ├─',
      '         │               └─',
      '         └─ kube-system ───',
      'remote  ─── -           ───',
    ]);
  });

  it('prints details below each row in the list format and per kind in the table format', () => {
    const list = formatResourceTree([deployment('hangzhou1')], { detail: true, detailFormat: 'list' });
    expect(list).toContain('\n                              Images: stefanprodan/podinfo:6.0.1');
    const table = formatResourceTree([deployment('hangzhou1'), deployment('hangzhou2', 'x:1')], {
      detail: true,
      detailFormat: 'table',
    });
    expect(table).toContain(
      'Deployment:\nCLUSTER    NAMESPACE  NAME     READY  UP-TO-DATE  AVAILABLE  AGE  CONTAINERS  IMAGES',
    );
    expect(table).toContain(
      'hangzhou2  examples   podinfo  3/3    3           3          17m  podinfo     x:1',
    );
  });

  it('prints bare values in the raw format', () => {
    const raw = formatResourceTree([deployment('hangzhou1')], { detail: true, detailFormat: 'raw' });
    expect(raw.split('\n')[1]).toMatch(
      / 3\/3 3 3 17m podinfo stefanprodan\/podinfo:6\.0\.1 app\.oam\.dev\/component=podinfo$/,
    );
  });

  it('says so when there is nothing to show', () => {
    expect(formatResourceTree([])).toMatch(/^no resources/);
  });
});
