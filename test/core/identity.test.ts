import {
  decodePrivateKey,
  encodePrivateKey,
  publicKeyOf,
  PublicKey,
  signStatement,
  verifyStatement,
  type DecisionStatement,
} from '../../core/identity';

const privateKey = Uint8Array.from({ length: 32 }, (_, index) => index);
const otherKey = Uint8Array.from({ length: 32 }, (_, index) => 255 - index);
const statement: DecisionStatement = {
  workflowId: 'deploy-main',
  requestId: 'req-1',
  argsDigest: 'sha256:ab',
  decision: 'approve',
  by: 'alice',
  text: null,
  via: 'signature',
};

describe('signed decision statements', () => {
  it('verifies a statement signed with the matching key, and is deterministic', () => {
    const signature = signStatement(privateKey, statement);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(signStatement(privateKey, statement)).toBe(signature);
    expect(verifyStatement(publicKeyOf(privateKey), statement, signature)).toBe(true);
  });

  it.each([
    ['workflowId', 'another-run'],
    ['requestId', 'req-2'],
    ['argsDigest', 'sha256:cd'],
    ['decision', 'reject'],
    ['by', 'mallory'],
    ['text', 'and deploy broken too'],
    ['via', 'gateway'],
  ] as const)('refuses the signature once %s changes', (field, value) => {
    const signature = signStatement(privateKey, statement);
    expect(verifyStatement(publicKeyOf(privateKey), { ...statement, [field]: value }, signature)).toBe(false);
  });

  it('refuses another key and malformed signatures without throwing', () => {
    const signature = signStatement(privateKey, statement);
    expect(verifyStatement(publicKeyOf(otherKey), statement, signature)).toBe(false);
    expect(verifyStatement(publicKeyOf(privateKey), statement, 'zz')).toBe(false);
    expect(verifyStatement(publicKeyOf(privateKey), statement, '')).toBe(false);
  });

  it('round-trips private keys and checks the public key format', () => {
    expect(decodePrivateKey(`${encodePrivateKey(privateKey)}\n`)).toEqual(privateKey);
    expect(() => decodePrivateKey('not a key')).toThrow('not a tfa private key');
    expect(PublicKey.safeParse(publicKeyOf(privateKey)).success).toBe(true);
    expect(PublicKey.safeParse('ed25519:abc').success).toBe(false);
  });
});
