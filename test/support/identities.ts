import { publicKeyOf } from '../../core/identity';
import type { PolicyFile } from '../../core/policy';
import { attesterSigner, personalSigner, type StatementSigner } from '../../client/keys';
import { tokenDigest, type GatewayIdentity } from '../../client/gateway/identity';

/** Fixed test keys (never used outside tests): 32 bytes each, distinct per name. */
function testKey(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, index) => (seed * 31 + index * 7) % 256);
}

export interface TestPerson {
  name: string;
  privateKey: Uint8Array;
  sign: StatementSigner;
  slackUserId: string;
  token: string;
}

function person(name: string, seed: number, slackUserId: string): TestPerson {
  const privateKey = testKey(seed);
  return {
    name,
    privateKey,
    sign: personalSigner(name, privateKey),
    slackUserId,
    token: `personal-token-of-${name}-0123456789`,
  };
}

export const alice = person('alice', 1, 'UALICE01');
export const bob = person('bob', 2, 'UBOB0002');
/** Not in any approver list; has a key of her own, to prove a valid signature alone is not enough. */
export const mallory = person('mallory', 3, 'UMALLORY');
export const gatewayKey = testKey(9);

/** A policy where alice approves DeployBot's and the pipeline's deploys, with everyone's keys and the gateway as attester. */
export function trustPolicy(overrides: Partial<PolicyFile> = {}): Partial<PolicyFile> {
  return {
    people: Object.fromEntries(
      [alice, bob, mallory].map((p) => [p.name, { publicKey: publicKeyOf(p.privateKey), slackUserId: p.slackUserId }]),
    ),
    attesters: { gateway: publicKeyOf(gatewayKey) },
    agents: {
      deploybot: { approvers: { deploy_to_production: ['alice'], rollback: ['alice', 'bob'] } },
      deployer: { approvers: { deploy_to_production: ['alice'] } },
    },
    ...overrides,
  };
}

/** The gateway's identity for trustPolicy: personal tokens, Slack ids, and its attester key. */
export function testGatewayIdentity(): GatewayIdentity {
  const people = [alice, bob, mallory];
  return {
    people: new Map(people.map((p) => [tokenDigest(p.token), p.name])),
    slackUsers: new Map(people.map((p) => [p.slackUserId, p.name])),
    attest: (via) => attesterSigner('gateway', gatewayKey, via),
  };
}
