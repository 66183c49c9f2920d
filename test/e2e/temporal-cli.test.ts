import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentState } from '../../core/reducer';
import { threadQuery } from '../../workflows/messages';
import { startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';
import { temporal } from '../support/temporal-command';
import { runTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';

let harness: Harness;
afterEach(async () => harness?.close());

/**
 * A DeployBot run started with `temporal workflow start` alone, on a harness whose model asks to deploy
 * main to production and then finishes; resolves once it waits for approval.
 */
async function startWithTemporalCli(workflowId: string, options: HarnessOptions = {}) {
  harness = await startHarness({
    script: [
      { toolCall: { name: 'deploy_to_production', arguments: { ref: 'main' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'deployed' } } },
    ],
    ...options,
  });
  const input = JSON.stringify({ agent: 'deploybot', message: 'deploy main to production' });
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
    input,
  );
  const handle = harness.client.workflow.getHandle(workflowId);
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  return { handle, pending: waiting.pending! };
}

/** `temporal workflow signal` of `approve` with this JSON input. */
const approveWithTemporalCli = (workflowId: string, input: string) =>
  temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'approve', '--input', input);

test('a run is started, approved and inspected with the temporal CLI alone', async () => {
  const workflowId = `cli-${Date.now()}`;
  await startWithTemporalCli(workflowId);

  const status = JSON.parse(
    await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json'),
  );
  const state = status.queryResult[0] as AgentState;
  expect(state.pending).toMatchObject({ tool: 'deploy_to_production', args: { ref: 'main' } });

  await approveWithTemporalCli(workflowId, JSON.stringify({ by: 'carol' }));
  const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json'));
  expect(result.result).toMatchObject({ status: 'completed', result: { message: 'deployed' } });
});

test('a signed approval travels through the Temporal CLI: tfa keys create, tfa sign, temporal workflow signal', async () => {
  const keys = await mkdtemp(path.join(os.tmpdir(), 'tfa-keys-'));
  const tfa = async (...args: string[]) => {
    const env = {
      TFA_KEYS_DIR: keys,
      TEMPORAL_ADDRESS: testServerAddress(),
      TFA_TASK_QUEUE: harness?.taskQueue ?? 'tfa',
    };
    const outcome = await runTfa(args, env);
    expect(outcome).toMatchObject({ code: 0 });
    return outcome.stdout;
  };
  try {
    const created = await tfa('keys', 'create', 'dana');
    expect((await stat(path.join(keys, 'dana.key'))).mode & 0o777).toBe(0o600);
    const publicKey = /"publicKey": "(ed25519:[0-9a-f]{64})"/.exec(created)![1]!;
    const workflowId = `cli-signed-${Date.now()}`;
    const { handle, pending } = await startWithTemporalCli(workflowId, {
      policy: { people: { dana: { publicKey } }, defaultApprovers: ['dana'] },
    });

    await approveWithTemporalCli(workflowId, JSON.stringify({ requestId: pending.requestId, by: 'dana' }));
    const body = await tfa('sign', 'approve', workflowId, '--request-id', pending.requestId, '--by', 'dana');
    await approveWithTemporalCli(workflowId, body.trim());
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
