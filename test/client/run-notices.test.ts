// Issue 17, item 5: `npm start` prints one line when a run starts waiting and one when it finishes.
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { startRunNotices } from '../../client/run-notices';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal } from '../../workflows/messages';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

jest.setTimeout(120_000);

let harness: Harness;
let notices: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await notices?.stop();
  await harness?.close();
});

test('a run that starts waiting is told once with the command that answers it, then once when it finishes', async () => {
  harness = await startHarness({
    script: [callTool('deploy_to_production', { ref: 'main' }), callTool('done_for_now', { message: 'main is live' })],
  });
  const lines: string[] = [];
  notices = startRunNotices(harness.client, harness.taskQueue, (line) => lines.push(line), 100);
  const workflowId = `notices-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const waiting = `run ${workflowId} is waiting for approval of deploy_to_production`;
  const told = await eventually(
    () => lines.find((line) => line.startsWith(waiting)),
    30_000,
    () => lines.join('\n'),
  );
  const answer = `tfa approve ${workflowId} --request-id ${pending!.requestId} --by <you>`;
  expect(told).toMatch(new RegExp(`^${waiting} \\{"ref":"main","sha":"[0-9a-f]{40}"\\}: ${answer}$`));

  await handle.signal(approveSignal, { by: 'alice' });
  await handle.result();
  await eventually(
    () => lines.includes(`run ${workflowId} finished: completed`),
    30_000,
    () => lines.join('\n'),
  );
  expect(lines.filter((line) => line.includes(workflowId))).toEqual([told, `run ${workflowId} finished: completed`]);
});
