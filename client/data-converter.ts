import type { DataConverter } from '@temporalio/common';
import { RevelaPayloadCodec } from './payload-codec.js';

export interface EncryptionOptions {
  readonly key: Buffer;
  readonly keyId: string;
}

/** The data converter the client, the workers and the codec server share. */
export function revelaDataConverter(encryption?: EncryptionOptions): DataConverter {
  return {
    payloadCodecs: [
      new RevelaPayloadCodec(encryption ? { encryptionKey: encryption.key, keyId: encryption.keyId } : {}),
    ],
  };
}

/** Decodes `REVELA_ENCRYPTION_KEY` (base64 or 64 hex characters) into the 32-byte AES key. */
export function decodeEncryptionKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}
