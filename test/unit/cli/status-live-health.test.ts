import { describe, expect, it } from 'vitest';
import type { ApplicationStatusView } from '../../../client/revela-client.js';
import { formatStatus } from '../../../cli/output/status-view.js';

const CREATED = new Date(2022, 3, 13, 19, 32, 3).toISOString();

function finishedView(extra: Partial<ApplicationStatusView>): ApplicationStatusView {
  const revision = {
    name: 'shop-v1',
    number: 1,
    hash: '4acae1a66013283f',
    size: 9000,
    status: 'Succeeded' as const,
    succeeded: true,
    beginTime: CREATED,
    workflowId: 'rev/shop/shop-v1',
  };
  return {
    app: {
      name: 'shop',
      namespace: 'shop',
      createdAt: CREATED,
      phase: 'unhealthy',
      currentRevision: revision,
      revisions: [revision],
      inventory: [],
      audit: [],
    },
    services: [
      {
        cluster: 'local',
        namespace: 'shop',
        component: 'api',
        type: 'webservice',
        healthy: false,
        message: 'not deployed',
        traits: [],
      },
    ],
    waiting: [],
    ...extra,
  };
}

describe('revela status of a finished revision', () => {
  it('says its health is live and that a deleted workload is not deployed', () => {
    const text = formatStatus(finishedView({ healthSource: { kind: 'live', checkedAt: CREATED } }));
    expect(text).toMatch(/Status: +unhealthy/);
    expect(text).toMatch(/Services \(live, .+\):/);
    expect(text).toContain('Unhealthy not deployed');
  });

  it('names the age of a state-keep check it shows instead, and what that check restored', () => {
    const text = formatStatus(
      finishedView({
        healthSource: { kind: 'state-keep', checkedAt: CREATED, ageMs: 40_000 },
        stateKeep: {
          last: {
            revision: 'shop-v1',
            checkedAt: CREATED,
            intervalMs: 300_000,
            health: [],
            repairs: [
              { cluster: 'local', object: 'Deployment/extra', drift: 'missing', paths: [], restored: true },
            ],
            conflicts: [],
          },
        },
      }),
    );
    expect(text).toMatch(/Services \(state keep check 40s ago\):/);
    expect(text).toContain('restored Deployment/extra on local (missing)');
  });
});
