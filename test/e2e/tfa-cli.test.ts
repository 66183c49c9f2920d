import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { testServerAddress } from '../support/test-server';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let harness: Harness;
afterEach(async () => harness?.close());

/** Runs `tfa` as a user does, in its own process; resolves with the exit code instead of throwing. */
async function tfa(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: harness?.taskQueue ?? 'tfa' };
  try {
    const { stdout, stderr } = await execFileAsync(path.join(root, 'node_modules/.bin/tsx'), ['client/cli.ts', ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('bad arguments print usage and exit non-zero', async () => {
  const missing = await tfa('approve');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain("missing required argument 'workflowId'");
  expect(missing.stderr).toContain('Usage: tfa approve');
  const unknown = await tfa('deploy-everything');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('unknown command');
  const badNumber = await tfa('launch', 'deploybot', 'hi', '--max-steps', 'many');
  expect(badNumber.code).not.toBe(0);
  expect(badNumber.stderr).toContain('expected a positive integer');
});

test('launch, status, a refused approval and a real one, all through tfa', async () => {
  harness = await startHarness({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed' } } },
    ],
  });
  const launched = await tfa('launch', 'deploybot', 'deploy', 'main', 'to', 'production', '--workflow-id', `tfa-cli-${Date.now()}`);
  expect(launched.code).toBe(0);
  const workflowId = launched.stdout.trim();
  const handle = harness.client.workflow.getHandle(workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const status = await tfa('status', workflowId);
  expect(status.stdout).toContain('status=awaiting_approval');
  expect(status.stdout).toMatch(/waiting for approval of deploy_to_production \{"ref":"main"\}\n {2}request \S+ {2}args sha256:[0-9a-f]{64}/);

  const refused = await tfa('approve', workflowId, '--request-id', 'not-a-request', '--by', 'dave');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('unknown request not-a-request');

  const approved = await tfa('approve', workflowId, '--by', 'dave', '--comment', 'go');
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/^approved \S+/);
  expect(await handle.result()).toMatchObject({ status: 'completed' });

  const listed = await tfa('list', '--limit', '50');
  expect(listed.stdout).toContain(workflowId);
});
