import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS package whose exports Node's ESM loader cannot list: use its default export.
import proto from '@temporalio/proto';

const { temporal } = proto;

/** Payloads above this size are gzipped: snapshots of large apps compress well (KubeVela uses zstd). */
export const COMPRESSION_THRESHOLD_BYTES = 32 * 1024;

const ENCODING_GZIP = 'binary/gzip';
const ENCODING_ENCRYPTED = 'binary/encrypted';
const METADATA_KEY_ID = 'encryption-key-id';
const METADATA_CIPHER = 'encryption-cipher';
const CIPHER = 'AES256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const PayloadProto = temporal.api.common.v1.Payload;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RevelaCodecOptions {
  /** 32-byte AES-256-GCM key; when set, every payload is encrypted. */
  readonly encryptionKey?: Buffer;
  /** Recorded in each encrypted payload so keys can be rotated. @default "default" */
  readonly keyId?: string;
  /** @default 32 KiB */
  readonly compressionThresholdBytes?: number;
}

export class PayloadCodecError extends Error {
  override readonly name = 'PayloadCodecError';
}

function encoding(payload: Payload): string | undefined {
  const raw = payload.metadata?.encoding;
  return raw ? decoder.decode(raw) : undefined;
}

function wrap(enc: string, data: Uint8Array, extra: Record<string, string> = {}): Payload {
  const metadata: Record<string, Uint8Array> = { encoding: encoder.encode(enc) };
  for (const [k, v] of Object.entries(extra)) metadata[k] = encoder.encode(v);
  return { metadata, data };
}

/** Runs synchronous codec work so that a failure rejects the promise instead of throwing at the call. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new PayloadCodecError(String(err)));
  }
}

/**
 * Revela's payload codec: gzip above 32 KiB, then AES-256-GCM when a key is configured. The
 * client, every worker and the codec server must use the same options, or histories become
 * unreadable to one of them.
 */
export class RevelaPayloadCodec implements PayloadCodec {
  private readonly key: Buffer | undefined;
  private readonly keyId: string;
  private readonly threshold: number;

  constructor(options: RevelaCodecOptions = {}) {
    if (options.encryptionKey && options.encryptionKey.length !== 32) {
      throw new PayloadCodecError(`encryption key must be 32 bytes, got ${options.encryptionKey.length}`);
    }
    this.key = options.encryptionKey;
    this.keyId = options.keyId ?? 'default';
    this.threshold = options.compressionThresholdBytes ?? COMPRESSION_THRESHOLD_BYTES;
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((p) => this.encodeOne(p)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((p) => this.decodeOne(p)));
  }

  private encodeOne(payload: Payload): Payload {
    let current = payload;
    if ((current.data?.length ?? 0) > this.threshold) {
      current = wrap(ENCODING_GZIP, gzipSync(PayloadProto.encode(current).finish()));
    }
    if (this.key) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const body = Buffer.concat([cipher.update(PayloadProto.encode(current).finish()), cipher.final()]);
      current = wrap(ENCODING_ENCRYPTED, Buffer.concat([iv, body, cipher.getAuthTag()]), {
        [METADATA_KEY_ID]: this.keyId,
        [METADATA_CIPHER]: CIPHER,
      });
    }
    return current;
  }

  private decodeOne(payload: Payload): Payload {
    let current = payload;
    for (;;) {
      const enc = encoding(current);
      if (enc === ENCODING_ENCRYPTED) {
        current = this.decrypt(current);
      } else if (enc === ENCODING_GZIP) {
        current = PayloadProto.decode(gunzipSync(current.data ?? new Uint8Array()));
      } else {
        return current;
      }
    }
  }

  private decrypt(payload: Payload): Payload {
    const keyIdRaw = payload.metadata?.[METADATA_KEY_ID];
    const keyId = keyIdRaw ? decoder.decode(keyIdRaw) : '?';
    if (!this.key) {
      throw new PayloadCodecError(
        `payload is encrypted with key "${keyId}" but no REVELA_ENCRYPTION_KEY is configured here`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadCodecError('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return PayloadProto.decode(plain);
    } catch {
      throw new PayloadCodecError(`cannot decrypt payload with key "${keyId}": wrong REVELA_ENCRYPTION_KEY?`);
    }
  }
}
