import type { PayloadCodec } from '@temporalio/common';
import type { TfaConfig } from '../core/config';
import { EncryptionCodec, encryptionKeysFrom, MissingKeysCodec, type PayloadDecryptionError } from './encryption-codec';

/** The encryption codec TFA_ENCRYPTION_KEYS asks for, or null when it is unset (payloads stay plaintext). */
export function encryptionCodecFrom(config: Pick<TfaConfig, 'TFA_ENCRYPTION_KEYS'>): EncryptionCodec | null {
  const keys = config.TFA_ENCRYPTION_KEYS;
  return keys && keys.length > 0 ? new EncryptionCodec({ keys: encryptionKeysFrom(keys) }) : null;
}

/**
 * A client's payload codecs (CLI, gateway, scripts): a payload it cannot decrypt, or any encrypted one
 * without keys, is an error naming the key id.
 */
export function clientPayloadCodecs(config: Pick<TfaConfig, 'TFA_ENCRYPTION_KEYS'>): PayloadCodec[] {
  return [encryptionCodecFrom(config) ?? new MissingKeysCodec()];
}

/**
 * A worker's payload codecs. A payload it cannot decrypt (unknown key id, altered bytes) is passed on
 * still encrypted: the payload converter turns it into an undecodable-payload refusal, and `warn` says
 * why, so a bad sender never fails a workflow task or stops the worker.
 */
export function workerPayloadCodecs(
  config: Pick<TfaConfig, 'TFA_ENCRYPTION_KEYS'>,
  warn: (line: string) => void,
): PayloadCodec[] {
  const keys = config.TFA_ENCRYPTION_KEYS;
  if (!keys || keys.length === 0) return [];
  const onUndecryptable = (error: PayloadDecryptionError) => warn(`[tfa worker] ${error.message}`);
  return [new EncryptionCodec({ keys: encryptionKeysFrom(keys), passUndecryptable: true, onUndecryptable })];
}
