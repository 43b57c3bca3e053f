import type {
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import { statusBody } from './fault-failures.js';

/**
 * Relaying one request from a client of the fault proxy to its target and the answer back,
 * streaming both ways, so watches (chunked streams that last minutes) pass unchanged.
 */

/** The target of a relay and the proxy's bookkeeping of requests in flight to it. */
export interface RelayTarget {
  /** Origin of the target, `https://127.0.0.1:6443`. */
  readonly url: URL;
  /** Keeps connections to the target alive and carries its CA and client certificate. */
  readonly agent: Agent;
  /** Upstream requests in flight, so stopping the proxy can cut them (watches never end by themselves). */
  readonly inFlight: Set<ClientRequest>;
}

// Hop-by-hop headers belong to one connection and must not be relayed (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function relayHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Sends `req` on to the target and streams the answer back into `res`; `onStatus` learns the
 * status the client gets. With `body` (a request that was held) the body was already read and the
 * request completes even when its client has gone; without, the body streams and a client that
 * goes away takes its upstream request (a watch) with it.
 */
export function relay(
  req: IncomingMessage,
  res: ServerResponse,
  target: RelayTarget,
  body: Buffer | undefined,
  onStatus: (status: number) => void,
): void {
  const headers = relayHeaders(req.headers);
  headers.host = target.url.host;
  if (body !== undefined) headers['content-length'] = String(body.length);
  const upstream = httpsRequest({
    protocol: 'https:',
    hostname: target.url.hostname,
    port: target.url.port,
    method: req.method,
    path: req.url,
    headers,
    agent: target.agent,
  });
  target.inFlight.add(upstream);
  upstream.on('close', () => target.inFlight.delete(upstream));
  upstream.on('response', (answer) => {
    onStatus(answer.statusCode ?? 502);
    if (res.destroyed) {
      answer.resume();
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, relayHeaders(answer.headers));
    // Watches send nothing until the first event; clients wait for the headers meanwhile.
    res.flushHeaders();
    answer.pipe(res);
    // A stream cut by the target (or by stopping the proxy) is cut for the client too, not ended.
    answer.on('close', () => {
      if (!answer.complete) res.destroy();
    });
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const message = `fault proxy: target ${target.url.origin} unreachable: ${error.code ?? error.message}`;
    onStatus(502);
    res.writeHead(502, { 'content-type': 'application/json' }).end(statusBody(502, message));
  });
  if (body !== undefined) {
    upstream.end(body);
    return;
  }
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** The whole request body, or undefined when the client went away before sending all of it. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}
