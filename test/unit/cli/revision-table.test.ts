import { describe, expect, it } from 'vitest';
import type { RevisionMetadata } from '../../../model/revision.js';
import { formatRevisionList } from '../../../cli/output/revision-table.js';
import { formatRevisionDetail } from '../../../cli/output/revision-detail.js';
import { snapshotOf } from '../helpers/revision-history.js';

function local(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return new Date(y, mo - 1, d, h, mi, s).toISOString();
}

const REVISIONS: RevisionMetadata[] = [
  {
    name: 'podinfo-v1',
    number: 1,
    publishVersion: 'alpha1',
    hash: '65844934c2d07288',
    size: 24_269,
    status: 'Succeeded',
    succeeded: true,
    beginTime: local(2022, 4, 13, 20, 45, 19),
    workflowId: 'rev/examples/podinfo-v1',
  },
  {
    name: 'podinfo-v2',
    number: 2,
    publishVersion: 'alpha2',
    hash: '4acae1a66013283f',
    size: 24_269,
    status: 'Succeeded',
    succeeded: true,
    beginTime: local(2022, 4, 13, 20, 45, 45),
    workflowId: 'rev/examples/podinfo-v2',
  },
  {
    name: 'podinfo-v3',
    number: 3,
    publishVersion: 'alpha3',
    hash: '44124fb1a5146a4d',
    size: 24_269,
    status: 'Failed',
    succeeded: false,
    beginTime: local(2022, 4, 13, 20, 46, 28),
    workflowId: 'rev/examples/podinfo-v3',
  },
  {
    name: 'podinfo-v4',
    number: 4,
    publishVersion: 'beta1',
    hash: '65844934c2d07288',
    size: 24_269,
    status: 'Succeeded',
    succeeded: true,
    beginTime: local(2022, 4, 13, 20, 46, 49),
    workflowId: 'rev/examples/podinfo-v4',
    sourceRevision: 'podinfo-v1',
    description: 're-published from podinfo-v1',
  },
];

describe('revision list', () => {
  it("prints KubeVela's columns, as in its version-control guide", () => {
    expect(formatRevisionList(REVISIONS)).toBe(
      [
        'NAME       PUBLISH_VERSION SUCCEEDED HASH             BEGIN_TIME          STATUS    SIZE',
        'podinfo-v1 alpha1          true      65844934c2d07288 2022-04-13 20:45:19 Succeeded 23.7 KiB',
        'podinfo-v2 alpha2          true      4acae1a66013283f 2022-04-13 20:45:45 Succeeded 23.7 KiB',
        'podinfo-v3 alpha3          false     44124fb1a5146a4d 2022-04-13 20:46:28 Failed    23.7 KiB',
        'podinfo-v4 beta1           true      65844934c2d07288 2022-04-13 20:46:49 Succeeded 23.7 KiB',
      ].join('\n'),
    );
  });

  it('shows a dash for a revision published without a publishVersion', () => {
    const { publishVersion: _p, ...rest } = REVISIONS[0] as RevisionMetadata;
    expect(formatRevisionList([rest]).split('\n')[1]).toMatch(/^podinfo-v1 -\s+true/);
  });
});

describe('revision get', () => {
  it('shows the record, the pinned definitions and the application', () => {
    const text = formatRevisionDetail({
      metadata: REVISIONS[3] as RevisionMetadata,
      snapshot: snapshotOf(
        {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: {
            name: 'podinfo',
            namespace: 'examples',
            annotations: { 'app.oam.dev/publishVersion': 'beta1' },
          },
          spec: {
            components: [
              { name: 'podinfo', type: 'webservice', properties: { image: 'stefanprodan/podinfo:6.0.1' } },
            ],
          },
        },
        '65844934c2d07288',
        24_269,
      ),
    });
    expect(text).toContain('Publish version:   beta1');
    expect(text).toContain('Copied from:       podinfo-v1');
    expect(text).toContain('Description:       re-published from podinfo-v1');
    expect(text).toContain('        image: stefanprodan/podinfo:6.0.1');
  });
});
