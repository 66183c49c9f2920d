import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { policyFor, requestTimeoutFor } from '../../core/policy';
import { readPolicyFile } from '../../worker/policy-file';

const example = path.resolve(__dirname, '../../config/policy.example.json');

test('the shipped example policy is valid and means what the README says', () => {
  const { policies, found } = readPolicyFile(example);
  expect(found).toBe(true);
  const deploybot = policyFor(policies, 'deploybot');
  expect(deploybot.approvers.deploy_to_production).toEqual(['alice', 'bob']);
  expect(requestTimeoutFor(deploybot, 'rollback')).toBe(3_600_000);
  expect(requestTimeoutFor(deploybot, 'deploy_to_production')).toBe(86_400_000);
});

test('a missing policy file means the defaults: anyone approves, one day to answer', () => {
  const { policies, found } = readPolicyFile('/nonexistent/policy.json');
  expect(found).toBe(false);
  expect(policyFor(policies, 'deploybot')).toEqual({ approvers: {}, requestTimeoutMs: 86_400_000, toolTimeoutsMs: {}, escalationTimeoutMs: 86_400_000, escalateTo: 'on-call' });
});

test('a malformed policy file stops start-up naming the file and the field', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'policy-'));
  try {
    const file = path.join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ deploybot: { requestTimeoutMs: -5 } }));
    expect(() => readPolicyFile(file)).toThrow(new RegExp(`${file} is not a valid policy file: deploybot.requestTimeoutMs`));
    await writeFile(file, '{ not json');
    expect(() => readPolicyFile(file)).toThrow(`${file} is not valid JSON`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
