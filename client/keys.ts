import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  decodePrivateKey,
  encodePrivateKey,
  publicKeyOf,
  signStatement,
  type DecisionSignature,
  type DecisionStatement,
  type PublicKey,
} from '../core/identity';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Where `tfa keys create` keeps private keys: TFA_KEYS_DIR, else $XDG_CONFIG_HOME/tfa/keys, else ~/.config/tfa/keys. */
export function keysDir(env: Record<string, string | undefined> = process.env): string {
  if (env.TFA_KEYS_DIR) return env.TFA_KEYS_DIR;
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'tfa', 'keys');
}

function keyFile(dir: string, name: string): string {
  if (!NAME.test(name))
    throw new Error(`"${name}" is not a usable key name: letters, digits, dot, dash and underscore`);
  return path.join(dir, `${name}.key`);
}

/** Creates `name`'s key pair: the private key in a 0600 file (never overwritten), the public key returned for the policy. */
export function createKey(dir: string, name: string): { file: string; publicKey: PublicKey } {
  const file = keyFile(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKey = randomBytes(32);
  try {
    fs.writeFileSync(file, `${encodePrivateKey(privateKey)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`${file} exists already; tfa never overwrites a key (delete it yourself to replace it)`);
  }
  return { file, publicKey: publicKeyOf(privateKey) };
}

/** The private key in `file`; a key file others can read is refused. */
export function readKeyFile(file: string): Uint8Array {
  if ((fs.statSync(file).mode & 0o077) !== 0) throw new Error(`${file} is readable by others: chmod 600 ${file}`);
  return decodePrivateKey(fs.readFileSync(file, 'utf8'));
}

/** `name`'s private key, or undefined when there is no key file. */
export function readKey(dir: string, name: string): Uint8Array | undefined {
  const file = keyFile(dir, name);
  return fs.existsSync(file) ? readKeyFile(file) : undefined;
}

/** Signs statements as `signer`: a person with their own key, or an attester saying how it authenticated them. */
export type StatementSigner = (statement: Omit<DecisionStatement, 'via'>) => DecisionSignature;

export function personalSigner(name: string, privateKey: Uint8Array): StatementSigner {
  return (statement) => ({ signer: name, value: signStatement(privateKey, { ...statement, via: 'signature' }) });
}

export function attesterSigner(name: string, privateKey: Uint8Array, via: 'gateway' | 'slack'): StatementSigner {
  return (statement) => ({ signer: name, via, value: signStatement(privateKey, { ...statement, via }) });
}
