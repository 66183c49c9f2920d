/**
 * AES-256-GCM payload encryption for worker, CLI and gateway (TFA_ENCRYPTION_KEYS). Each payload is
 * serialized whole (metadata and data) and encrypted, so the server keeps only ciphertext, the key id
 * and the `binary/encrypted` encoding, the layout of Temporal's encryption samples.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKeySpec } from '../core/encryption-keys';
import { TfaError } from '../core/errors';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Longest key id a message repeats: the id is sender-controlled metadata, and the worker and gateway log it. */
const MAX_KEY_ID_CHARS = 64;

/** The key id as a message shows it: cut and made printable, so a sender cannot forge log lines or flood them. */
function printableKeyId(id: string): string {
  const printable = id.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > MAX_KEY_ID_CHARS ? `${printable.slice(0, MAX_KEY_ID_CHARS)}…` : printable;
}

/** An encrypted payload that this process cannot open: a key it does not hold, or altered bytes. */
export class PayloadDecryptionError extends TfaError {
  constructor(
    readonly keyId: string,
    reason: string,
  ) {
    super(`cannot decrypt a payload encrypted with key "${printableKeyId(keyId)}": ${reason}`);
  }
}

export interface EncryptionKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** The configured keys, decoded; the first one encrypts. */
export function encryptionKeysFrom(specs: readonly EncryptionKeySpec[]): EncryptionKey[] {
  return specs.map((spec) => ({ id: spec.id, key: Buffer.from(spec.base64, 'base64') }));
}

function metadataText(payload: Payload, key: string): string | undefined {
  const raw = payload.metadata?.[key];
  return raw ? decoder.decode(raw) : undefined;
}

export interface EncryptionCodecOptions {
  keys: readonly EncryptionKey[];
  /**
   * What decode does with a payload it cannot decrypt. Default: throw PayloadDecryptionError. The
   * worker passes the payload on still encrypted, so its payload converter records it as an
   * undecodable message instead of failing a workflow task; `onUndecryptable` hears why.
   */
  passUndecryptable?: boolean;
  onUndecryptable?: (error: PayloadDecryptionError) => void;
}

/** Encrypts every payload with the first key; decrypts with whichever key id a payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly encryptingKey: EncryptionKey;
  private readonly keysById: Map<string, Buffer>;

  constructor(private readonly options: EncryptionCodecOptions) {
    if (options.keys.length === 0) throw new TfaError('EncryptionCodec needs at least one key');
    this.encryptingKey = options.keys[0]!;
    this.keysById = new Map(options.keys.map((key) => [key.id, key.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decryptOrPass(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.encryptingKey;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(encoder.encode(id)); // a payload cannot be relabelled with another key id
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: encoder.encode(id) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decryptOrPass(payload: Payload): Payload {
    if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
    try {
      return this.decrypt(payload);
    } catch (error) {
      if (!(error instanceof PayloadDecryptionError) || !this.options.passUndecryptable) throw error;
      this.options.onUndecryptable?.(error);
      return payload;
    }
  }

  private decrypt(payload: Payload): Payload {
    const id = metadataText(payload, METADATA_KEY_ID) ?? '(none)';
    const key = this.keysById.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        id,
        `no such key id in TFA_ENCRYPTION_KEYS (it holds ${[...this.keysById.keys()].join(', ')}): add the key that wrote it`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(id, `${data.length} bytes is too short to be AES-GCM output`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(encoder.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        id,
        'authentication failed: the ciphertext was altered, or the key under this id is not the one that wrote it',
      );
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}

/** A client without keys: plaintext passes, and an encrypted payload is an error that says which variable to set. */
export class MissingKeysCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) continue;
      throw new PayloadDecryptionError(
        metadataText(payload, METADATA_KEY_ID) ?? '(none)',
        'TFA_ENCRYPTION_KEYS is not set here: set it to the keys the worker uses',
      );
    }
    return payloads;
  }
}
