import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AgentState } from '../../core/reducer';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { temporalCliPath, testServerAddress } from '../support/test-server';

const execFileAsync = promisify(execFile);
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
  await temporal('workflow', 'start', '--task-queue', harness.taskQueue, '--type', 'agentWorkflow', '--workflow-id', workflowId,
    '--input', JSON.stringify({ agent: 'deploybot', message: 'deploy main to production' }));
  const handle = harness.client.workflow.getHandle(workflowId);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const status = JSON.parse(await temporal('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json'));
  const state = status.queryResult[0] as AgentState;
  expect(state.pending).toMatchObject({ tool: 'deploy_to_production', args: { ref: 'main' } });

  await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'approve', '--input', JSON.stringify({ by: 'carol' }));
  const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json'));
  expect(result.result).toMatchObject({ status: 'completed', result: { message: 'deployed' } });
});
