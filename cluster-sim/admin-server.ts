import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KubeObject } from '../model/kube-object.js';
import { InvalidFaultConfigError, type FaultConfig } from './faults.js';
import { isPlainObject } from './json.js';

/**
 * The simulator's admin endpoint (JSON over HTTP), so faults can be changed while the dev stack
 * runs: `GET /clusters`, `PUT /clusters/<name>/faults` with a FaultConfig body,
 * `DELETE /clusters/<name>/faults`, `GET /clusters/<name>/objects`.
 */

export interface AdminClusterView {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly faults: FaultConfig;
  readonly resourceVersion: number;
  readonly objects: number;
}

export interface AdminDeps {
  readonly clusters: () => AdminClusterView[];
  readonly setFaults: (cluster: string, faults: FaultConfig) => void;
  readonly clearFaults: (cluster?: string) => void;
  readonly objects: (cluster: string) => KubeObject[];
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

export function createAdminServer(deps: AdminDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const segments = url.pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const known = deps.clusters().map((c) => c.name);
    if (segments.length === 0 && method === 'GET') {
      reply(res, 200, {
        endpoints: [
          'GET /clusters',
          'PUT /clusters/<name>/faults',
          'DELETE /clusters/<name>/faults',
          'DELETE /faults',
          'GET /clusters/<name>/objects',
        ],
      });
      return;
    }
    if (segments.length === 1 && segments[0] === 'clusters' && method === 'GET') {
      reply(res, 200, deps.clusters());
      return;
    }
    if (segments.length === 1 && segments[0] === 'faults' && method === 'DELETE') {
      deps.clearFaults();
      reply(res, 200, deps.clusters());
      return;
    }
    const [root, name, leaf] = segments;
    if (root === 'clusters' && name !== undefined && segments.length === 3) {
      if (!known.includes(name)) {
        reply(res, 404, { error: `unknown cluster "${name}"`, known });
        return;
      }
      if (leaf === 'faults' && method === 'PUT') {
        const body = await readJson(req);
        if (!isPlainObject(body)) {
          reply(res, 400, { error: 'the body must be a FaultConfig object' });
          return;
        }
        deps.setFaults(name, body);
        reply(
          res,
          200,
          deps.clusters().find((c) => c.name === name),
        );
        return;
      }
      if (leaf === 'faults' && method === 'DELETE') {
        deps.clearFaults(name);
        reply(
          res,
          200,
          deps.clusters().find((c) => c.name === name),
        );
        return;
      }
      if (leaf === 'objects' && method === 'GET') {
        reply(res, 200, deps.objects(name));
        return;
      }
    }
    reply(res, 404, { error: `no admin endpoint ${method} ${url.pathname}` });
  };
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const code = err instanceof InvalidFaultConfigError || err instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) reply(res, code, { error: (err as Error).message });
      else res.end();
    });
  });
}
