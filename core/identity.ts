import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { z } from 'zod';
import { canonicalJson } from './digest';

/**
 * Signed decisions (design.md, Trust model): a name is a claim; a signature over exactly what is
 * decided is proof. Pure and deterministic (Ed25519 signing has no randomness), so the workflow
 * verifies with the same code the CLI and the gateway sign with.
 */

const KEY_PREFIX = 'ed25519:';
const HEX_32_BYTES = /^[0-9a-f]{64}$/;
// Patterns are tested in .refine(), not .regex(): the workflows share these schemas frozen (workflows/settle-schemas.ts).
const HEX_64_BYTES = /^[0-9a-f]{128}$/;
/** Domain separation: a tfa decision signature can never be mistaken for any other signed text. */
const STATEMENT_PREFIX = 'tfa-decision-v1\n';

export const PublicKey = z
  .string()
  .refine((value) => value.startsWith(KEY_PREFIX) && HEX_32_BYTES.test(value.slice(KEY_PREFIX.length)), {
    message: 'expected "ed25519:<64 hex digits>", as printed by `tfa keys create <name>`',
  });
export type PublicKey = z.infer<typeof PublicKey>;

/** How a decision's `by` was established; `claimed` means nobody vouched for it. */
export const Verification = z.enum(['signature', 'gateway', 'slack', 'claimed']);
export type Verification = z.infer<typeof Verification>;

/** Who vouches for a decision: the person's own key, or an attester (the gateway) for a principal it authenticated. */
export const DecisionSignature = z.object({
  /** A person's name (their own key) or an attester's name from the policy's `attesters`. */
  signer: z.string().min(1).max(200),
  /** Set by an attester: how it authenticated the person. Absent: the person signed with their own key. */
  via: z.enum(['gateway', 'slack']).optional(),
  /** Ed25519 signature over the decision statement, in hex. */
  value: z.string().refine((value) => HEX_64_BYTES.test(value), 'expected an Ed25519 signature: 128 hex digits'),
});
export type DecisionSignature = z.infer<typeof DecisionSignature>;

/** Exactly what a signature vouches for: this decision, by this person, on this request of this run. */
export interface DecisionStatement {
  workflowId: string;
  requestId: string;
  /** The approval request's argsDigest; null for a reply. */
  argsDigest: string | null;
  decision: 'approve' | 'reject' | 'reply';
  by: string;
  /** The comment, reason or reply text, so none can be swapped under a valid signature. */
  text: string | null;
  via: Exclude<Verification, 'claimed'>;
}

function statementBytes(statement: DecisionStatement): Uint8Array {
  return utf8ToBytes(STATEMENT_PREFIX + canonicalJson(statement));
}

/** `ed25519:<hex>` of the public key that belongs to a private key. */
export function publicKeyOf(privateKey: Uint8Array): PublicKey {
  return `${KEY_PREFIX}${bytesToHex(ed25519.getPublicKey(privateKey))}`;
}

export function encodePrivateKey(privateKey: Uint8Array): string {
  return bytesToHex(privateKey);
}

export function decodePrivateKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (!HEX_32_BYTES.test(trimmed))
    throw new Error('not a tfa private key: expected 64 hex digits (see `tfa keys create`)');
  return hexToBytes(trimmed);
}

export function signStatement(privateKey: Uint8Array, statement: DecisionStatement): string {
  return bytesToHex(ed25519.sign(statementBytes(statement), privateKey));
}

/** False for a wrong key, a changed statement or a malformed signature; never throws. */
export function verifyStatement(publicKey: PublicKey, statement: DecisionStatement, signature: string): boolean {
  try {
    return ed25519.verify(
      hexToBytes(signature),
      statementBytes(statement),
      hexToBytes(publicKey.slice(KEY_PREFIX.length)),
    );
  } catch {
    return false;
  }
}
