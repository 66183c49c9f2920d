import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../../core/zod-issues';
import type { PolicySource } from '../../core/policy';
import { attesterSigner, readKeyFile, type StatementSigner } from '../keys';

/** The attester name the gateway signs as; the policy lists its public key under `attesters.gateway`. */
export const GATEWAY_ATTESTER = 'gateway';

/** TFA_GATEWAY_TOKENS_FILE: each person's name and the sha256 of their bearer token (`tfa token create <name>`). */
export const TokensFile = z.record(
  z.string().min(1).max(200),
  z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:<64 hex digits>"'),
);

/** Who the gateway can vouch for, and the key it vouches with. */
export interface GatewayIdentity {
  /** sha256 hex of a person's token → their name. */
  readonly people: ReadonlyMap<string, string>;
  /** Slack user id → the person's name, from the policy's people.*.slackUserId. */
  readonly slackUsers: ReadonlyMap<string, string>;
  /** Signs decisions as the gateway; absent: the gateway cannot vouch, so its decisions stay claims. */
  readonly attest?: (via: 'gateway' | 'slack') => StatementSigner;
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The person a bearer token belongs to, if it is a personal token. */
export function personOfToken(identity: GatewayIdentity | undefined, token: string): string | undefined {
  return identity?.people.get(tokenDigest(token));
}

export function readTokensFile(file: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`TFA_GATEWAY_TOKENS_FILE ${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  const parsed = TokensFile.safeParse(raw);
  if (!parsed.success)
    throw new Error(`TFA_GATEWAY_TOKENS_FILE ${file} is not a tokens file: ${describeIssues(parsed.error)}`);
  return new Map(Object.entries(parsed.data).map(([name, digest]) => [digest.slice('sha256:'.length), name]));
}

/** Builds the gateway's identity from its files; each is optional, and what is missing only narrows what it can vouch for. */
export function loadGatewayIdentity(options: {
  tokensFile?: string;
  keyFile?: string;
  policy: PolicySource;
}): GatewayIdentity {
  const people = options.tokensFile ? readTokensFile(options.tokensFile) : new Map<string, string>();
  const slackUsers = new Map<string, string>();
  if (options.policy.kind === 'file') {
    for (const [name, person] of Object.entries(options.policy.file.people))
      if (person.slackUserId) slackUsers.set(person.slackUserId, name);
  }
  const key = options.keyFile ? readKeyFile(options.keyFile) : undefined;
  return { people, slackUsers, attest: key ? (via) => attesterSigner(GATEWAY_ATTESTER, key, via) : undefined };
}
