import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AgentState } from '../../core/reducer';
import { threadQuery } from '../../workflows/messages';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { temporalCliPath, testServerAddress } from '../support/test-server';

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let harness: Harness;
afterEach(async () => harness?.close());

/** The plain `temporal` binary, as a script or an operator would run it. */
async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(temporalCliPath(), [...args, '--address', testServerAddress()]);
  return stdout;
}

test('a run is started, approved and inspected with the temporal CLI alone', async () => {
  harness = await startHarness({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed' } } },
    ],
  });
  const workflowId = `cli-${Date.now()}`;
  await temporal(
    'workflow',
    'start',
    '--task-queue',
    harness.taskQueue,
    '--type',
    'agentWorkflow',
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify({ agent: 'deploybot', message: 'deploy main to production' }),
  );
  const handle = harness.client.workflow.getHandle(workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const status = JSON.parse(
    await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json'),
  );
  const state = status.queryResult[0] as AgentState;
  expect(state.pending).toMatchObject({ tool: 'deploy_to_production', args: { ref: 'main' } });

  await temporal(
    'workflow',
    'signal',
    '--workflow-id',
    workflowId,
    '--name',
    'approve',
    '--input',
    JSON.stringify({ by: 'carol' }),
  );
  const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json'));
  expect(result.result).toMatchObject({ status: 'completed', result: { message: 'deployed' } });
});

test('a signed approval travels through the Temporal CLI: tfa keys create, tfa sign, temporal workflow signal', async () => {
  const keys = await mkdtemp(path.join(os.tmpdir(), 'tfa-keys-'));
  const tfa = async (...args: string[]) =>
    (
      await execFileAsync(path.join(root, 'node_modules/.bin/tsx'), ['client/cli.ts', ...args], {
        cwd: root,
        env: {
          ...process.env,
          TFA_KEYS_DIR: keys,
          TEMPORAL_ADDRESS: testServerAddress(),
          TFA_TASK_QUEUE: harness?.taskQueue ?? 'tfa',
        },
      })
    ).stdout;
  try {
    const created = await tfa('keys', 'create', 'dana');
    expect((await stat(path.join(keys, 'dana.key'))).mode & 0o777).toBe(0o600);
    const publicKey = /"publicKey": "(ed25519:[0-9a-f]{64})"/.exec(created)![1]!;
    harness = await startHarness({
      script: [
        { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
        { toolCall: { name: 'done_for_now', arguments: { message: 'deployed' } } },
      ],
      policy: { people: { dana: { publicKey } }, defaultApprovers: ['dana'] },
    });
    const workflowId = `cli-signed-${Date.now()}`;
    await temporal(
      'workflow',
      'start',
      '--task-queue',
      harness.taskQueue,
      '--type',
      'agentWorkflow',
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify({ agent: 'deploybot', message: 'deploy main to production' }),
    );
    const handle = harness.client.workflow.getHandle(workflowId);
    const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');

    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'approve',
      '--input',
      JSON.stringify({ requestId: pending!.requestId, by: 'dana' }),
    );
    const body = await tfa('sign', 'approve', workflowId, '--request-id', pending!.requestId, '--by', 'dana');
    await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'approve', '--input', body.trim());
    const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json'));
    expect(result.result).toMatchObject({ status: 'completed' });
    const { events } = await handle.query(threadQuery);
    expect(events.filter((event) => event.type === 'decision_refused')).toEqual([
      expect.objectContaining({ by: 'dana', reason: expect.stringContaining('not verified') }),
    ]);
    expect(events.find((event) => event.type === 'approval_granted')).toMatchObject({
      by: 'dana',
      verified: 'signature',
    });
  } finally {
    await rm(keys, { recursive: true, force: true });
  }
});
