import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parsePort } from '../options.js';

export interface CodecServerCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly allowedOrigin?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `revela codec-server`: decodes Revela's payloads for the Temporal UI. */
export function codecServerCommand(ctx: CliContext): Command {
  return new Command('codec-server')
    .summary("serve /encode and /decode so the Temporal UI can show Revela's payloads")
    .description(
      'Run the codec server the Temporal UI calls to show compressed and (with REVELA_ENCRYPTION_KEY)\n' +
        'encrypted payloads. It holds the key: run it where only operators can reach it.',
    )
    .option('--port <port>', 'port to listen on', parsePort, 8081)
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option('--allowed-origin <url>', "the UI's origin allowed by CORS (repeatable; default any)", collect)
    .addHelpText(
      'after',
      `
Examples:
  REVELA_ENCRYPTION_KEY=$(cat key.b64) revela codec-server --port 8081
  revela codec-server --host 0.0.0.0 --allowed-origin https://cloud.temporal.io`,
    )
    .action(async (options: CodecServerCommandOptions) => {
      const { decodeEncryptionKey } = await import('../../client/data-converter.js');
      const { RevelaPayloadCodec } = await import('../../client/payload-codec.js');
      const { startCodecServer } = await import('../../client/codec-server.js');
      const key = ctx.io.env.REVELA_ENCRYPTION_KEY;
      const codec = new RevelaPayloadCodec(
        key
          ? {
              encryptionKey: decodeEncryptionKey(key),
              keyId: ctx.io.env.REVELA_ENCRYPTION_KEY_ID ?? 'default',
            }
          : {},
      );
      const { server, url } = await startCodecServer({
        codec,
        port: options.port,
        host: options.host,
        ...(options.allowedOrigin ? { allowedOrigins: options.allowedOrigin } : {}),
      });
      ctx.print(
        `codec server on ${url} (encryption ${key ? 'on' : 'off'}): set it as the codec endpoint in the Temporal UI`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
}
