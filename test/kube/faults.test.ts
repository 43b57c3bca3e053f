import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { ClusterRegistry } from '../../kube/cluster-registry.js';
import { startKubeFixture, type KubeFixture } from '../harness/kube-fixture.js';
import { failure } from './support/failure.js';
import { configMap } from './support/objects.js';
import { waitFor } from './support/wait-for.js';

/**
 * How kube/ classifies failures of a real cluster: Status answers injected by the fault proxy in
 * front of the apiserver, refused connections, slow and cancelled requests.
 */

let fixture: KubeFixture;
let local: ClusterClient;
let hangzhou: ClusterClient;
const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'examples' };
const SETTINGS_PATH = '/api/v1/namespaces/examples/configmaps/settings';

beforeAll(async () => {
  fixture = await startKubeFixture({ requestTimeoutMs: 10_000 });
  local = fixture.registry.client('local');
  hangzhou = fixture.registry.client('hangzhou1');
  await local.ensureNamespace('examples');
  await local.apply(configMap('settings', { color: 'blue' }, { namespace: 'examples' }));
  await hangzhou.list({ apiVersion: 'v1', kind: 'ConfigMap' });
});

afterAll(async () => {
  await fixture?.stop();
});

afterEach(() => fixture.clusters.clearFaults());

function proxy() {
  return fixture.clusters.faults('local');
}

describe('errors under injected faults', () => {
  it.each([
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout'],
  ])('HTTP %i is retryable', async (status, reason) => {
    proxy().failWith({ status, match: { verbs: ['patch'] } });
    const err = await failure(
      local.apply(configMap('settings', { color: 'red' }, { namespace: 'examples' })),
    );
    expect(err).toMatchObject({
      type: 'KubeRetryable',
      retryable: true,
      status,
      reason,
      cluster: 'local',
      verb: 'apply',
      object: 'ConfigMap/settings',
    });
    expect(err.message).toMatch(
      new RegExp(
        `^local: apply ConfigMap/settings: fault proxy: injected ${status} for patch ${SETTINGS_PATH}\\S* \\(HTTP ${status} ${reason}\\)$`,
      ),
    );
    // Nothing reached the apiserver.
    expect((await local.read(ref))?.data).toEqual({ color: 'blue' });
  });

  it('429 is retryable after the Retry-After the server asked for', async () => {
    proxy().failWith({ status: 429, retryAfterSeconds: 3, match: { verbs: ['get'], path: SETTINGS_PATH } });
    const err = await failure(local.read(ref));
    expect(err).toMatchObject({
      type: 'KubeRetryable',
      status: 429,
      reason: 'TooManyRequests',
      retryAfterMs: 3_000,
    });
  });

  it('503 with Retry-After carries the delay too', async () => {
    proxy().failWith({ status: 503, retryAfterSeconds: 1, match: { verbs: ['list'] } });
    const err = await failure(local.list({ apiVersion: 'v1', kind: 'ConfigMap' }));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
  });

  it('a partitioned cluster refuses connections: retryable ECONNREFUSED, and works again once healed', async () => {
    await proxy().refuseConnections(true);
    // Requests share kept-alive connections: one left open by an earlier test is reset (also
    // retryable), and the request after it, on a new connection, is refused.
    const first = await failure(local.read(ref));
    expect(first).toMatchObject({ type: 'KubeRetryable', retryable: true });
    expect(['ECONNRESET', 'ECONNREFUSED']).toContain(first.code);
    const err = first.code === 'ECONNREFUSED' ? first : await failure(local.read(ref));
    expect(err).toMatchObject({ type: 'KubeRetryable', retryable: true, code: 'ECONNREFUSED' });
    expect(err.status).toBeUndefined();
    expect(err.message).toBe(
      `local: read ConfigMap/settings: connection refused (${fixture.registry.server('local')}) (ECONNREFUSED)`,
    );
    await proxy().refuseConnections(false);
    expect((await local.read(ref))?.metadata.name).toBe('settings');
  });

  it('a request slower than the timeout is a retryable ETIMEDOUT', async () => {
    const impatient = (
      await ClusterRegistry.load({ kubeconfigPath: fixture.kubeconfigPath, requestTimeoutMs: 500 })
    ).client('local');
    // Discovery before the latency starts; on a busy machine it may itself need a second try.
    await waitFor(
      'the impatient client to discover the ConfigMap resource',
      () => impatient.read(ref).then(() => true),
      (ok) => ok,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    proxy().setLatency(5_000, { verbs: ['get'], path: SETTINGS_PATH });
    const started = Date.now();
    const err = await failure(impatient.read(ref));
    expect(err).toMatchObject({ type: 'KubeRetryable', code: 'ETIMEDOUT' });
    expect(err.message).toBe(
      `local: read ConfigMap/settings: timed out (${fixture.registry.server('local')}) (ETIMEDOUT)`,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a cancelled call stops at once and is retryable', async () => {
    proxy().setLatency(5_000, { verbs: ['patch'] });
    const controller = new AbortController();
    const started = Date.now();
    const pending = local.apply(configMap('settings', { color: 'green' }, { namespace: 'examples' }), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect(err).toMatchObject({ retryable: true, code: 'ABORT_ERR' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each([
    [400, 'BadRequest'],
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [422, 'Invalid'],
  ])('HTTP %i is permanent', async (status, reason) => {
    proxy().failWith({ status, match: { verbs: ['patch'] } });
    const err = await failure(
      local.apply(configMap('settings', { color: 'red' }, { namespace: 'examples' })),
    );
    expect(err).toMatchObject({ type: 'KubePermanent', retryable: false, status, reason });
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('faults stay on their cluster and their verbs', async () => {
    proxy().failWith({ status: 500, match: { verbs: ['delete'] } });
    await expect(local.read(ref)).resolves.toBeDefined();
    await expect(hangzhou.list({ apiVersion: 'v1', kind: 'ConfigMap' })).resolves.toBeDefined();
    await expect(failure(local.delete({ ...ref, name: 'nothing-here' }))).resolves.toMatchObject({
      status: 500,
    });
  });

  it('every-Nth faults fail exactly the Nth requests', async () => {
    proxy().failWith({ status: 500, every: 3, match: { verbs: ['get'], path: SETTINGS_PATH } });
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++)
      outcomes.push(
        await local.read(ref).then(
          () => 'ok',
          () => 'fail',
        ),
      );
    expect(outcomes).toEqual(['ok', 'ok', 'fail', 'ok', 'ok', 'fail', 'ok']);
  });

  it('a seeded error rate fails the same requests on every run', async () => {
    const run = async () => {
      proxy().failWith({ status: 503, rate: 0.5, seed: 42, match: { verbs: ['get'], path: SETTINGS_PATH } });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(
          await local.read(ref).then(
            () => 'ok',
            () => 'fail',
          ),
        );
      return outcomes;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((o) => o === 'fail').length).toBeGreaterThan(3);
    expect(first.filter((o) => o === 'ok').length).toBeGreaterThan(3);
  });
});
