import { describe, expect, it } from 'vitest';
import { loadBuiltinDefinitions } from '../../definitions/index.js';
import type { Application } from '../../model/application.js';
import { parseDocument } from '../../model/document.js';
import type { PlacementTarget } from '../../model/placement.js';
import { resolvePlacement } from '../../model/placement.js';
import { renderTargets } from '../../model/render.js';
import { buildSnapshot } from '../../model/snapshot-builder.js';

/** Two web services with an exposed port each: a Deployment and a Service apiece. */
function shop(): Application {
  const service = (name: string) => ({
    name,
    type: 'webservice',
    properties: { image: `${name}:1`, ports: [{ port: 8080, expose: true }] },
  });
  return parseDocument({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'shop' },
    spec: { components: [service('web'), service('api')] },
  }) as Application;
}

describe('the order of rendered resources', () => {
  it('sorts by cluster, then component, then target, the workload before its outputs', async () => {
    const snapshot = buildSnapshot({ application: shop(), catalog: loadBuiltinDefinitions() });
    const [placed] = resolvePlacement(snapshot, [], [{ name: 'local', labels: {} }]);
    const components = placed?.components ?? [];
    // Two namespaces of cluster b around one of cluster a: b's come first by name, interleaved.
    const targets: PlacementTarget[] = [
      { cluster: 'b', namespace: 'one', components },
      { cluster: 'a', namespace: 'one', components },
      { cluster: 'b', namespace: 'two', components },
    ];
    const rendered = await renderTargets(snapshot, targets, 'shop-v1');
    expect(
      rendered.map((r) => `${r.cluster} ${r.object.metadata.namespace} ${r.component} ${r.object.kind}`),
    ).toEqual([
      'a one web Deployment',
      'a one web Service',
      'a one api Deployment',
      'a one api Service',
      'b one web Deployment',
      'b one web Service',
      'b two web Deployment',
      'b two web Service',
      'b one api Deployment',
      'b one api Service',
      'b two api Deployment',
      'b two api Service',
    ]);
  });
});
