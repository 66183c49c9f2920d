// Trust model: every outside input is bounded and survivable. A start request (the gateway's
// POST /agents/:agent/runs takes continueAsNewAtHistoryBytes) must not make a run continue as new forever.
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { RUN_INPUT_LIMITS } from '../../core/run';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { callTool } from '../../scripts/scripted-model/server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness;
afterEach(async () => harness?.close());

async function runsOf(workflowId: string): Promise<number> {
  let count = 0;
  for await (const _run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) count++;
  return count;
}

test('a task larger than continueAsNewAtHistoryBytes does not make the run continue as new in a loop: it reaches its approval, waits there and deploys once', async () => {
  harness = await startHarness({
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'finished' })],
  });
  const workflowId = `continue-loop-${Date.now()}`;
  const message = `deploy main to production. ${'context '.repeat(RUN_INPUT_LIMITS.message / 8 - 10)}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message, continueAsNewAtHistoryBytes: 10_000 }],
  });
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval', 60_000);
  await handle.signal(approveSignal, { by: 'alice', requestId: waiting.pending!.requestId });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const events = (await handle.query(threadQuery)).events;
  expect(events.filter((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production')).toHaveLength(
    1,
  );
  // At most one continuation per step that grew the history by the limit (each step sends the long task to the model).
  expect(await runsOf(workflowId)).toBeLessThanOrEqual(3);
});
