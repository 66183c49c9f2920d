import { z } from 'zod';

/** One payload encryption key as configured: its id (stored beside each payload) and the base64 of its 32 bytes. */
export interface EncryptionKeySpec {
  id: string;
  base64: string;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Exactly 32 bytes in standard base64 (`openssl rand -base64 32`): 43 characters and one `=`. */
const BASE64_OF_32_BYTES = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const FIX = 'use <id>:<base64 of 32 bytes>[,<id>:<base64>...], e.g. `echo "k1:$(openssl rand -base64 32)"`';

/**
 * `TFA_ENCRYPTION_KEYS`: comma-separated `<id>:<base64 of 32 bytes>`. The first key encrypts, every key
 * decrypts, so a new key goes first and old ones stay until nothing needs them. Issues name the entry
 * by position and id, never the key material.
 */
export const EncryptionKeyList = z.string().transform((list, context): EncryptionKeySpec[] => {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const keys: EncryptionKeySpec[] = [];
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator < 0 ? '' : entry.slice(0, separator).trim();
    const base64 = separator < 0 ? '' : entry.slice(separator + 1).trim();
    const problem = !KEY_ID.test(id)
      ? 'its id must be 1 to 64 of A-Z a-z 0-9 . _ -'
      : !BASE64_OF_32_BYTES.test(base64)
        ? `key "${id}" is not the base64 of exactly 32 bytes`
        : keys.some((key) => key.id === id)
          ? `key id "${id}" appears twice`
          : null;
    if (problem) context.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}; ${FIX}` });
    else keys.push({ id, base64 });
  });
  if (entries.length === 0) context.addIssue({ code: 'custom', message: `no key given; ${FIX}` });
  return keys;
});
