import { connect } from 'node:net';

/** Error codes that mean nothing listens there (or the name does not resolve): waiting won't help. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Opens and closes one TCP connection to `host:port`. Resolves with the error code when the
 * address is plainly unreachable, so a client can say so at once instead of waiting out a gRPC
 * connect timeout; resolves undefined when it connected or could not tell within `timeoutMs`.
 */
export async function unreachableReason(address: string, timeoutMs = 2000): Promise<string | undefined> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.replace(/^[a-z]+:\/\//, ''));
  if (!m) return undefined;
  const [, host, port] = m;
  return await new Promise((resolve) => {
    const socket = connect({ host: host as string, port: Number(port) });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code && UNREACHABLE.has(err.code) ? err.code : undefined),
    );
  });
}
