import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request, type Agent, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FaultProxyStoppedError,
  HeldRequestTimeoutError,
  InvalidFaultError,
} from '../harness/fault-errors.js';
import { kubeVerb } from '../harness/fault-match.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { makeSelfSignedCert, type SelfSignedCert } from '../harness/self-signed-cert.js';
import { waitFor } from './support/wait-for.js';

/**
 * The fault proxy in front of a plain HTTPS echo server (nothing of Kubernetes): every fault, watch
 * streaming, holding a write until release, and partitions, as a client sees them.
 */

interface TargetRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

let dir: string;
let tls: SelfSignedCert;
let target: Server;
let targetUrl: string;
const seen: TargetRequest[] = [];
const streams: { res: ServerResponse; closed: Promise<unknown> }[] = [];
let proxy: FaultProxy;

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const record = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(record);
    if (record.url.startsWith('/stream')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      streams.push({ res, closed: once(res, 'close') });
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json', 'x-echo': 'yes' }).end(JSON.stringify(record));
  });
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface SendOptions {
  readonly method?: string;
  readonly body?: string;
  readonly agent?: Agent;
  readonly signal?: AbortSignal;
}

/** One request to the proxy on a fresh connection unless an agent is given. */
function send(path: string, options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, {
      method: options.method ?? 'GET',
      ca: tls.cert,
      agent: options.agent ?? false,
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.end(options.body);
  });
}

/**
 * Opens a streaming GET once its headers arrived; `cut` resolves with the error that ends it
 * (a stream ended cleanly resolves with undefined).
 */
async function openStream(path: string): Promise<{ res: IncomingMessage; cut: Promise<string | undefined> }> {
  const req = request(`${proxy.url}${path}`, { ca: tls.cert, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const cut = new Promise<string | undefined>((resolve) => {
    res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    res.on('end', () => resolve(undefined));
  });
  return { res, cut };
}

function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code,
  );
}

const DEPLOYMENT = '/apis/apps/v1/namespaces/shop/deployments/podinfo';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'revela-fault-proxy-'));
  tls = await makeSelfSignedCert(dir);
  target = createServer({ cert: tls.cert, key: tls.key }, echo);
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  const address = target.address();
  if (address === null || typeof address !== 'object') throw new Error('target has no address');
  targetUrl = `https://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  target?.closeAllConnections();
  target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  seen.length = 0;
  streams.length = 0;
  proxy = await startFaultProxy({ target: targetUrl, targetCa: tls.cert, tls });
});

afterEach(async () => {
  await proxy.stop();
});

describe('kubeVerb', () => {
  it.each([
    ['GET', '/api/v1/namespaces/shop/pods', 'list'],
    ['GET', '/api/v1/namespaces/shop/pods/web-1', 'get'],
    ['GET', '/api/v1/namespaces/shop/pods/web-1/log', 'get'],
    ['GET', '/api/v1/namespaces/shop/pods?watch=true&resourceVersion=10', 'watch'],
    ['GET', '/api/v1/watch/namespaces/shop/pods', 'watch'],
    ['GET', '/api/v1/namespaces', 'list'],
    ['GET', '/api/v1/namespaces/shop', 'get'],
    ['PUT', '/api/v1/namespaces/shop/finalize', 'update'],
    ['GET', '/api/v1/nodes', 'list'],
    ['GET', '/apis/apps/v1/deployments', 'list'],
    ['GET', DEPLOYMENT, 'get'],
    ['GET', `${DEPLOYMENT}/scale`, 'get'],
    ['POST', '/apis/apps/v1/namespaces/shop/deployments', 'create'],
    ['PUT', DEPLOYMENT, 'update'],
    ['PATCH', `${DEPLOYMENT}?fieldManager=revela&force=true`, 'patch'],
    ['DELETE', DEPLOYMENT, 'delete'],
    ['GET', '/apis/apps/v1', 'get'],
    ['GET', '/version', 'get'],
  ] as const)('%s %s is %s', (method, path, verb) => {
    expect(kubeVerb(method, path)).toBe(verb);
  });
});

describe('fault proxy', () => {
  it('forwards method, path, query, token and body, and relays status and headers', async () => {
    const answer = await send(`${DEPLOYMENT}?fieldManager=revela`, { method: 'PATCH', body: '{"spec":{}}' });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-echo']).toBe('yes');
    const echoed = JSON.parse(answer.body) as TargetRequest;
    expect(echoed).toEqual({
      method: 'PATCH',
      url: `${DEPLOYMENT}?fieldManager=revela`,
      authorization: 'Bearer test-token',
      body: '{"spec":{}}',
    });
    expect(proxy.requests).toMatchObject([
      { method: 'PATCH', verb: 'patch', status: 201, outcome: 'forwarded', held: false },
    ]);
  });

  it('streams a chunked response as the target writes it, and stop() cuts it on both sides', async () => {
    const { res, cut } = await openStream('/stream/pods?watch=true');
    expect(res.statusCode).toBe(200);
    await waitFor(
      'the target to hold the stream open',
      () => streams.length,
      (n) => n === 1,
    );
    const stream = streams[0]!;
    for (const event of ['{"type":"ADDED"}\n', '{"type":"MODIFIED"}\n']) {
      stream.res.write(event);
      const [chunk] = (await once(res, 'data')) as [Buffer];
      expect(chunk.toString('utf8')).toBe(event);
    }
    await proxy.stop();
    await stream.closed;
    expect(await cut).toBe('ECONNRESET');
  });

  it('setLatency delays only the matching requests', async () => {
    proxy.setLatency(600, { verbs: ['create'] });
    const started = Date.now();
    await send('/api/v1/namespaces/shop/configmaps', { method: 'POST', body: '{}' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    const read = Date.now();
    await send('/api/v1/namespaces/shop/configmaps');
    expect(Date.now() - read).toBeLessThan(600);
  });

  it('failWith answers with a Kubernetes Status, and the target never sees the request', async () => {
    proxy.failWith({ status: 429, retryAfterSeconds: 3, match: { verbs: ['patch'] } });
    const failed = await send(DEPLOYMENT, { method: 'PATCH', body: '{}' });
    expect(failed.status).toBe(429);
    expect(failed.headers['retry-after']).toBe('3');
    expect(JSON.parse(failed.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `fault proxy: injected 429 for patch ${DEPLOYMENT}`,
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
      code: 429,
    });
    expect((await send(DEPLOYMENT)).status).toBe(201);
    expect(seen.map((r) => r.method)).toEqual(['GET']);
    expect(proxy.injectedFailures).toBe(1);
    expect(proxy.requestsMatching({ verbs: ['patch'] })).toMatchObject([{ status: 429, outcome: 'failed' }]);
  });

  it('failWith every: 3 fails exactly the 3rd and 6th matching request', async () => {
    proxy.failWith({ status: 503, every: 3, message: 'etcd is sulking' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await send('/api/v1/namespaces/shop/pods')).status);
    expect(statuses).toEqual([201, 201, 503, 201, 201, 503, 201]);
    const last = proxy.requests.at(-2);
    expect(last).toMatchObject({ status: 503, outcome: 'failed', verb: 'list' });
  });

  it('failWith rate fails the same requests for the same seed', async () => {
    const pattern = async (seed: number): Promise<string> => {
      proxy.failWith({ status: 500, rate: 0.5, seed });
      let marks = '';
      for (let i = 0; i < 16; i++) marks += (await send('/version')).status === 500 ? 'x' : '.';
      return marks;
    };
    const first = await pattern(7);
    expect(await pattern(7)).toBe(first);
    expect(first).toContain('x');
    expect(first).toContain('.');
    expect(await pattern(8)).not.toBe(first);
  });

  it('refuses invalid faults, naming every problem', () => {
    expect(() => proxy.failWith({ status: 200, rate: 2, every: 1 })).toThrow(
      new InvalidFaultError('failWith', [
        'status must be an HTTP error status 400–599 (got 200)',
        'rate must be between 0 and 1 (got 2)',
        'give rate or every, not both',
      ]),
    );
    expect(() => proxy.setLatency(-1)).toThrow(
      'invalid setLatency fault: ms must be a finite number ≥ 0 (got -1)',
    );
  });

  it('a held write reaches the target only after release, behind a later request', async () => {
    const held = proxy.hold({ verbs: ['patch'], path: '/deployments/podinfo' });
    const write = send(DEPLOYMENT, { method: 'PATCH', body: '{"image":"podinfo:6.0.2"}' });
    const request = await held.waitForRequest(5_000);
    expect(request).toMatchObject({
      method: 'PATCH',
      verb: 'patch',
      path: DEPLOYMENT,
      body: '{"image":"podinfo:6.0.2"}',
    });
    expect(held.count).toBe(1);

    // Other requests pass while the write is held; the target has not seen the write.
    expect((await send(`${DEPLOYMENT}/status`, { method: 'PUT', body: '{}' })).status).toBe(201);
    expect(seen.map((r) => r.method)).toEqual(['PUT']);

    held.release();
    expect((await write).status).toBe(201);
    expect(seen.map((r) => `${r.method} ${r.body}`)).toEqual(['PUT {}', 'PATCH {"image":"podinfo:6.0.2"}']);
    expect(held.count).toBe(0);
    // The hold has ended: the next matching write goes straight through.
    expect((await send(DEPLOYMENT, { method: 'PATCH', body: '{}' })).status).toBe(201);
    expect(proxy.requestsMatching({ verbs: ['patch'] })).toMatchObject([
      { held: true, outcome: 'forwarded', status: 201 },
      { held: false, outcome: 'forwarded', status: 201 },
    ]);
  });

  it('a held write whose client gave up still lands when released', async () => {
    const held = proxy.hold({ verbs: ['create'] });
    const abort = new AbortController();
    const write = errorCode(
      send('/api/v1/namespaces/shop/configmaps', {
        method: 'POST',
        body: '{"late":true}',
        signal: abort.signal,
      }),
    );
    await held.waitForRequest(5_000);
    abort.abort();
    expect(await write).toBe('ABORT_ERR');
    held.release();
    await waitFor(
      'the late write to land on the target',
      () => seen.length,
      (n) => n === 1,
    );
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"late":true}' });
  });

  it('drop destroys the held connections and the target never sees them', async () => {
    const held = proxy.hold({ path: /deployments\/podinfo$/ });
    const first = errorCode(send(DEPLOYMENT, { method: 'DELETE' }));
    const second = errorCode(send(DEPLOYMENT, { method: 'PUT', body: '{}' }));
    await held.waitForRequest(5_000, 2);
    held.drop();
    expect(await first).toBe('ECONNRESET');
    expect(await second).toBe('ECONNRESET');
    expect(seen).toEqual([]);
    expect(proxy.requests.map((r) => r.outcome)).toEqual(['dropped', 'dropped']);
  });

  it('waitForRequest says what the proxy saw when nothing matching arrives', async () => {
    const held = proxy.hold({ verbs: ['delete'], path: 'podinfo' });
    await send('/version');
    await expect(held.waitForRequest(200)).rejects.toThrow(
      new HeldRequestTimeoutError(proxy.url, 'delete requests whose path contains "podinfo"', 200, 1, [
        'GET /version',
      ]),
    );
    const pending = held.waitForRequest(5_000);
    await proxy.stop();
    await expect(pending).rejects.toBeInstanceOf(FaultProxyStoppedError);
  });

  it('refuseConnections refuses new connections and resets open ones until turned off', async () => {
    const watch = await openStream('/stream/pods?watch=true');
    await waitFor(
      'the target to hold the stream open',
      () => streams.length,
      (n) => n === 1,
    );

    await proxy.refuseConnections(true);
    expect(await watch.cut).toBe('ECONNRESET');
    await streams[0]!.closed;
    expect(await errorCode(send('/version'))).toBe('ECONNREFUSED');

    await proxy.refuseConnections(false);
    expect((await send('/version')).status).toBe(201);
  });

  it('clear removes every fault and lets held requests through', async () => {
    proxy.setLatency(5_000);
    proxy.failWith({ status: 500, match: { verbs: ['get'] } });
    const held = proxy.hold({ verbs: ['create'] });
    const write = send('/api/v1/namespaces/shop/configmaps', { method: 'POST', body: '{}' });
    await waitFor(
      'the write to be pending behind the latency',
      () => proxy.requests.length,
      (n) => n === 1,
    );
    await proxy.refuseConnections(true);
    expect(await errorCode(write)).toBe('ECONNRESET');

    await proxy.clear();
    expect(held.active).toBe(false);
    const started = Date.now();
    expect((await send('/version')).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await send('/api/v1/namespaces/shop/configmaps', { method: 'POST', body: '{}' })).status).toBe(
      201,
    );
  });
});
