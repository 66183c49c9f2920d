import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { approvalTools } from '../../agents';
import { policyFor, requestTimeoutFor } from '../../core/policy';
import { loadPolicy, readPolicyFile } from '../../worker/policy-file';

const example = path.resolve(__dirname, '../../config/policy.example.json');

async function withPolicyFile(content: unknown, check: (file: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'policy-'));
  try {
    const file = path.join(dir, 'policy.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    check(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the shipped example policy covers every approval tool of every bundled agent, as the README says', () => {
  const lines: string[] = [];
  const source = loadPolicy(example, (text) => lines.push(text));
  expect(lines.join('\n')).toContain('deploybot.deploy_to_production: alice, bob');
  expect(lines.join('\n')).toContain('deployer.deploy_to_production: alice, bob');
  const deploybot = policyFor(source, 'deploybot', approvalTools().deploybot);
  expect(deploybot).toMatchObject({
    identity: 'verified',
    approvers: { deploy_to_production: ['alice', 'bob'], rollback: ['alice'] },
  });
  expect(Object.keys(deploybot.keys)).toEqual(['alice', 'bob']);
  expect(requestTimeoutFor(deploybot, 'rollback')).toBe(3_600_000);
  expect(requestTimeoutFor(deploybot, 'deploy_to_production')).toBe(86_400_000);
});

test('a missing policy file means the development defaults: anyone approves (claimed), one day to answer, said at start', () => {
  const lines: string[] = [];
  const source = loadPolicy('/nonexistent/policy.json', (text) => lines.push(text));
  expect(lines[0]).toContain('ANYONE may approve any tool');
  expect(policyFor(source, 'deploybot', ['deploy_to_production'])).toMatchObject({
    identity: 'claimed',
    approvers: {},
    requestTimeoutMs: 86_400_000,
  });
});

test("a policy that covers DeployBot only leaves the pipeline's deployer open, so the worker refuses to start", async () => {
  const deploybotOnly = {
    people: { alice: { publicKey: `ed25519:${'ab'.repeat(32)}` } },
    agents: { deploybot: { approvers: { deploy_to_production: ['alice'], rollback: ['alice'] } } },
  };
  await withPolicyFile(deploybotOnly, (file) => {
    expect(() => loadPolicy(file, () => {})).toThrow(
      /deployer\.deploy_to_production has no approvers: list them under agents\.deployer\.approvers\.deploy_to_production, or set "defaultApprovers"/,
    );
  });
  await withPolicyFile({ ...deploybotOnly, defaultApprovers: 'anyone' }, (file) => {
    const lines: string[] = [];
    loadPolicy(file, (text) => lines.push(text));
    expect(lines.join('\n')).toContain('deployer.deploy_to_production: ANYONE');
  });
});

test('an approver who can prove nothing (no key, no Slack id, no attester) stops start-up', async () => {
  await withPolicyFile({ defaultApprovers: ['carol'] }, (file) => {
    expect(() => loadPolicy(file, () => {})).toThrow(/carol cannot prove who they are: add people\.carol\.publicKey/);
  });
});

test('a malformed policy file stops start-up naming the file and the field', async () => {
  await withPolicyFile({ agents: { deploybot: { requestTimeoutMs: -5 } } }, (file) => {
    expect(() => readPolicyFile(file)).toThrow(
      new RegExp(`${file} is not a valid policy file: agents.deploybot.requestTimeoutMs`),
    );
  });
  await withPolicyFile({ deploybot: { approvers: {} } }, (file) => {
    expect(() => readPolicyFile(file)).toThrow(/Unrecognized key.*deploybot/);
  });
  await withPolicyFile({ people: { alice: { publicKey: 'ed25519:short' } } }, (file) => {
    expect(() => readPolicyFile(file)).toThrow(/people\.alice\.publicKey: expected "ed25519:<64 hex digits>"/);
  });
  await withPolicyFile('{ not json', (file) => expect(() => readPolicyFile(file)).toThrow(`${file} is not valid JSON`));
});
