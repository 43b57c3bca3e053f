import type http from 'node:http';
import https from 'node:https';
import { HttpMethod, RequestContext, type HttpLibrary } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KeepAliveHttpLibrary } from '../../kube/keep-alive.js';

/** Records the agent each request is sent with; answers nothing (the test never subscribes). */
function recorder(): { inner: HttpLibrary; agents: (http.Agent | undefined)[] } {
  const agents: (http.Agent | undefined)[] = [];
  const inner = {
    send(request: RequestContext) {
      agents.push(request.getAgent());
      return undefined as unknown as ReturnType<HttpLibrary['send']>;
    },
  };
  return { inner, agents };
}

/** A request as client-node 1.4 prepares it: a fresh agent built from the kubeconfig's TLS data. */
function request(agent: http.Agent): RequestContext {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  context.setAgent(agent);
  return context;
}

describe('Kubernetes requests share kept-alive connections', () => {
  it('sends every request with the same TLS options through one kept-alive agent', () => {
    const { inner, agents } = recorder();
    const library = new KeepAliveHttpLibrary(inner);
    for (let i = 0; i < 3; i++)
      library.send(request(new https.Agent({ ca: 'CA', cert: 'CERT', key: 'KEY' })));
    expect(new Set(agents).size).toBe(1);
    const shared = agents[0] as https.Agent & { options: Record<string, unknown> };
    expect(shared).toBeInstanceOf(https.Agent);
    expect(shared.options).toMatchObject({ ca: 'CA', cert: 'CERT', key: 'KEY', keepAlive: true });
    library.close();
  });

  it('keeps credentials apart: other TLS options get their own agent', () => {
    const { inner, agents } = recorder();
    const library = new KeepAliveHttpLibrary(inner);
    library.send(request(new https.Agent({ ca: 'CA', cert: 'alice' })));
    library.send(request(new https.Agent({ ca: 'CA', cert: 'bob' })));
    library.send(request(new https.Agent({ ca: 'CA', cert: 'alice', rejectUnauthorized: false })));
    expect(new Set(agents).size).toBe(3);
    library.close();
  });

  it('leaves agents it does not know (proxies) as the library made them', () => {
    class ProxyAgent extends https.Agent {}
    const { inner, agents } = recorder();
    const proxy = new ProxyAgent();
    new KeepAliveHttpLibrary(inner).send(request(proxy));
    expect(agents).toEqual([proxy]);
  });
});
