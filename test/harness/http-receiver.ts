import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request, in order of arrival. */
  readonly received: Received[];
}

export interface Received {
  path: string;
  method: string;
  body: unknown;
}

/** A local HTTP endpoint standing in for Slack, a webhook and an API: it records what it gets,
 * answers `/fail` with 403 and everything else with `{"answer": 42, "ok": true}`. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      req.on('end', () => resolve(data));
    });
  const server = createServer((req, res) => {
    void read(req).then((text) => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      received.push({ path: req.url ?? '', method: req.method ?? '', body });
      if (req.url === '/fail') {
        res.writeHead(403).end('nope');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ answer: 42, ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}
