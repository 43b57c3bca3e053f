import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import type { RevelaPayloadCodec } from './payload-codec.js';

/** Payloads in the proto-JSON form the Temporal UI sends: bytes as base64 strings. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

async function readBody(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface CodecServerOptions {
  readonly codec: RevelaPayloadCodec;
  readonly port?: number;
  readonly host?: string;
  /** Origins allowed by CORS (the UI's). @default any origin (the dev stack binds to loopback) */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The codec server the Temporal UI calls to show encrypted or compressed payloads:
 * `POST /decode` and `POST /encode` with `{ payloads: [...] }`. It holds the key, so run it where
 * only operators reach it (see docs/security.md).
 */
export async function startCodecServer(
  options: CodecServerOptions,
): Promise<{ server: Server; url: string }> {
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && (!options.allowedOrigins || options.allowedOrigins.includes(origin))) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
      res.setHeader('access-control-allow-credentials', 'true');
    }
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-headers', 'x-namespace, content-type, authorization');
  };
  const server = createServer((req, res) => {
    cors(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const route = req.url?.split('?')[0];
    if (req.method !== 'POST' || (route !== '/decode' && route !== '/encode')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'POST /encode or /decode' }));
      return;
    }
    void (async () => {
      try {
        const body = JSON.parse(await readBody(req)) as { payloads?: JsonPayload[] };
        const payloads = (body.payloads ?? []).map(fromJson);
        const out =
          route === '/decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ payloads: out.map(toJson) }));
      } catch (err) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: (err as Error).message }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://${options.host ?? '127.0.0.1'}:${port}` };
}
