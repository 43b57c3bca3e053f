import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../kube/cluster-client.js';
import { DEFAULT_ENGINE_SETTINGS, timeoutOrderProblems } from '../../model/engine-settings.js';
import { ANNOTATION_FENCE, fenceOf, fenceRefusal, withFence } from '../../model/fence.js';
import type { KubeObject } from '../../model/kube-object.js';

function deployment(fence?: number, revision = 'podinfo-v2'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'podinfo',
      namespace: 'examples',
      labels: { 'app.oam.dev/revision': revision },
      ...(fence !== undefined ? { annotations: { [ANNOTATION_FENCE]: String(fence) } } : {}),
    },
  };
}

describe('write fences', () => {
  it('stamps the writer fence on what it writes', () => {
    expect(fenceOf(withFence(deployment(), 7))).toBe(7);
  });

  it('refuses a late write of an earlier run over an object a later run wrote, naming both', () => {
    expect(fenceRefusal(deployment(5, 'podinfo-v1'), { fence: 4, revision: 'podinfo-v2' })).toBe(
      'Deployment/podinfo was written by a later run (fence 5, podinfo-v1) than podinfo-v2 (fence 4): podinfo-v2 was superseded, so its late write is refused',
    );
  });

  it('lets the same run retry, a later run write, and anyone write an object without a fence', () => {
    expect(fenceRefusal(deployment(4), { fence: 4, revision: 'podinfo-v2' })).toBeUndefined();
    expect(fenceRefusal(deployment(4), { fence: 5, revision: 'podinfo-v3' })).toBeUndefined();
    expect(fenceRefusal(deployment(), { fence: 1, revision: 'podinfo-v1' })).toBeUndefined();
    expect(fenceRefusal(undefined, { fence: 1, revision: 'podinfo-v1' })).toBeUndefined();
  });

  it('reads a malformed fence as none', () => {
    const odd = deployment();
    odd.metadata.annotations = { [ANNOTATION_FENCE]: 'soon' };
    expect(fenceOf(odd)).toBe(0);
  });
});

describe('timeouts that fence', () => {
  it('orders the defaults: Kubernetes request < heartbeat timeout < supersede wait', () => {
    expect(timeoutOrderProblems(DEFAULT_ENGINE_SETTINGS, DEFAULT_REQUEST_TIMEOUT_MS)).toEqual([]);
  });

  it('names the settings that break the order', () => {
    const problems = timeoutOrderProblems(
      { ...DEFAULT_ENGINE_SETTINGS, heartbeatTimeoutMs: 10_000, supersedeTimeoutMs: 5_000 },
      15_000,
    );
    expect(problems).toEqual([
      'heartbeatTimeoutMs (10000) must be longer than the Kubernetes request timeout (15000)',
      'supersedeTimeoutMs (5000) must be longer than heartbeatTimeoutMs (10000)',
    ]);
  });
});
