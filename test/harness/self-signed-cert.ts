import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate that is its own CA, with its key, as PEM text and as files. */
export interface SelfSignedCert {
  /** PEM certificate: serve it, and trust it as the CA (`ca: cert`). */
  readonly cert: string;
  /** PEM private key (P-256, unencrypted). */
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** openssl could not make the certificate (not installed, or refused the arguments). */
export class SelfSignedCertError extends Error {
  override readonly name = 'SelfSignedCertError';
  readonly type = 'SelfSignedCert';

  constructor(
    readonly dir: string,
    readonly stderr: string,
    options: { cause: unknown },
  ) {
    super(
      `openssl could not make a self-signed certificate in ${dir}: ${stderr.trim() || String(options.cause)}`,
      options,
    );
  }
}

/**
 * Makes a self-signed serving certificate valid for 127.0.0.1 and localhost for one day, as
 * `cert.pem` and `key.pem` in `dir`, with `openssl` from PATH (P-256 keys: fast to generate).
 *
 * @throws {SelfSignedCertError} when openssl fails
 * @example
 * const { cert, key } = await makeSelfSignedCert(tempDir);
 * https.createServer({ cert, key }, handler); // clients: { ca: cert }
 */
export async function makeSelfSignedCert(dir: string, cn = '127.0.0.1'): Promise<SelfSignedCert> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ];
  try {
    await run('openssl', args);
  } catch (cause) {
    const stderr = (cause as { stderr?: unknown }).stderr;
    throw new SelfSignedCertError(dir, typeof stderr === 'string' ? stderr : '', { cause });
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key, certPath, keyPath };
}
