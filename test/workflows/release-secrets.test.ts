import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { threadQuery } from '../../workflows/messages';
import { callTool } from '../../scripts/scripted-model/server';
import { startHarness, type Harness } from '../support/workflow-harness';

/** Secrets the worker process holds, as a real deployment would; the harness's worker runs in this process. */
const WORKER_SECRETS = {
  OPENAI_API_KEY: 'sk-test-openai-key-0123456789abcdef',
  TFA_GATEWAY_TOKEN: 'gateway-token-0123456789abcdef',
  TFA_NOTIFY_WEBHOOK_SECRET: 'whsec_notifywebhooksecret0123456789',
  TFA_GITHUB_WEBHOOK_SECRET: 'github-webhook-secret-0123456789',
  TFA_SLACK_SIGNING_SECRET: 'slack-signing-secret-0123456789',
};

let harness: Harness;
const saved = { ...process.env };
beforeEach(async () => {
  Object.assign(process.env, WORKER_SECRETS);
  harness = await startHarness();
});
afterEach(async () => {
  await harness?.close();
  for (const name of Object.keys(WORKER_SECRETS)) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** Runs the tester on `sha` with one suite and returns its whole thread as JSON text. */
async function testRelease(sha: string, suite: string): Promise<string> {
  harness.model.enqueue(
    callTool('list_test_suites', { sha }),
    callTool('run_test_suite', { sha, suite }),
    callTool('report_test_results', { passed: true, summary: 'ran it' }),
  );
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `secrets-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'tester', message: `Test release ${sha}.` }],
  });
  await handle.result();
  return JSON.stringify(await handle.query(threadQuery));
}

test('a suite running `env` shows none of the worker secrets: not the model key, the gateway token or any webhook secret', async () => {
  const sha = await harness.fixture.commitOn('env-suite', {
    'tfa-tests.json': JSON.stringify({ suites: { env: 'env' } }),
  });
  const thread = await testRelease(sha, 'env');
  expect(thread).toContain('PATH=');
  for (const [name, value] of Object.entries(WORKER_SECRETS)) {
    expect(thread).not.toContain(value);
    expect(thread).not.toContain(`${name}=`); // not even redacted: the command never had it
  }
  expect(JSON.stringify(harness.model.requests.map((request) => request.body))).not.toContain(
    WORKER_SECRETS.OPENAI_API_KEY,
  );
});

test('output that carries a worker secret value is scrubbed before it enters the thread', async () => {
  const sha = await harness.fixture.commitOn('leaky', {
    'leaked.txt': `token in a file: ${WORKER_SECRETS.TFA_GATEWAY_TOKEN}\n`,
    'tfa-tests.json': JSON.stringify({ suites: { leak: 'cat leaked.txt' } }),
  });
  const thread = await testRelease(sha, 'leak');
  expect(thread).not.toContain(WORKER_SECRETS.TFA_GATEWAY_TOKEN);
  expect(thread).toContain('token in a file: [redacted TFA_GATEWAY_TOKEN]');
});

test('a tfa-tests.json that is a symlink out of the release is refused with a tool error, and nothing outside runs', async () => {
  const outside = await mkdtemp(path.join(os.tmpdir(), 'outside-'));
  try {
    await writeFile(
      path.join(outside, 'suites.json'),
      JSON.stringify({ suites: { outside: 'echo ran-from-outside' } }),
    );
    const sha = await harness.fixture.commitOn('linked', {
      'tfa-tests.json': { symlinkTo: path.join(outside, 'suites.json') },
    });
    const thread = await testRelease(sha, 'outside');
    expect(thread).toContain('tfa-tests.json in release');
    expect(thread).toContain('is a symlink; suite files must be regular files inside the release');
    expect(thread).not.toContain('ran-from-outside');
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});
