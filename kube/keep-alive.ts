import http from 'node:http';
import https from 'node:https';
import type { HttpLibrary, RequestContext } from '@kubernetes/client-node';

/**
 * Connection reuse for one cluster's API client. `@kubernetes/client-node` (1.4) builds a new
 * `https.Agent` for every request from the kubeconfig's TLS material, so every request opened its
 * own TCP connection and TLS handshake (about 3 % of a worker's busy time and a round trip per
 * request in the engine benchmark's profile). This library keeps the library's agent options —
 * whatever the kubeconfig says: CA, client certificate, `insecure-skip-tls-verify`, server name,
 * proxy agents left alone — and swaps the fresh agent for a kept-alive one with the same options,
 * made once per distinct set of options.
 *
 * Free sockets are unreferenced by Node's agent, so an idle pool never keeps a process alive.
 */

/** The TLS options the library copies from the kubeconfig into each agent it creates. */
const TLS_OPTIONS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
  'ciphers',
  'secureProtocol',
] as const;

/** How many connections one worker opens to one apiserver at most (kubectl's default is unbounded). */
const MAX_SOCKETS = 64;

type AgentWithOptions = (http.Agent | https.Agent) & { options?: Record<string, unknown> };

function optionsKey(options: Record<string, unknown>): string {
  return JSON.stringify(
    TLS_OPTIONS.map((name) => {
      const value = options[name];
      return Buffer.isBuffer(value) ? value.toString('base64') : (value ?? null);
    }),
  );
}

/** Wraps the library's HTTP transport so requests share kept-alive connections. */
export class KeepAliveHttpLibrary implements HttpLibrary {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly inner: HttpLibrary) {}

  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    const agent = request.getAgent() as AgentWithOptions | undefined;
    // Proxy agents (socks, http(s) proxy) are subclasses with their own pooling: left as they are.
    if (agent && (agent.constructor === https.Agent || agent.constructor === http.Agent)) {
      request.setAgent(this.shared(agent));
    }
    return this.inner.send(request);
  }

  private shared(fresh: AgentWithOptions): http.Agent {
    const options = fresh.options ?? {};
    const secure = fresh instanceof https.Agent;
    const key = `${secure ? 'https' : 'http'}\u0000${optionsKey(options)}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const pooled = { ...options, keepAlive: true, maxSockets: MAX_SOCKETS, scheduling: 'lifo' as const };
      agent = secure ? new https.Agent(pooled) : new http.Agent(pooled);
      this.agents.set(key, agent);
    }
    fresh.destroy();
    return agent;
  }

  /** Closes every pooled connection (a registry being replaced or a process shutting down). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
