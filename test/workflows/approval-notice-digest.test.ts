import { buttonsFor } from '../../activities/channels/slack-channel';
import type { Notice } from '../../activities/channels/channel';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { argsDigest } from '../../core/digest';
import { callTool } from '../../scripts/scripted-model/server';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

test("an approval notice carries the request's arguments digest, and Slack's buttons name that digest", async () => {
  const notices: Notice[] = [];
  harness = await startHarness({
    script: [callTool('deploy_to_production', { ref: 'main' })],
    channel: { name: 'recording', send: async (notice) => void notices.push(notice) },
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `notice-digest-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  const { pending } = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const notice = await eventually(() => notices.find((sent) => sent.data.kind === 'approval'));
  expect(pending!.argsDigest).toBe(argsDigest(pending!.args!)); // pinned: the ref resolved to its commit
  expect(notice.data).toMatchObject({ requestId: pending!.requestId, argsDigest: pending!.argsDigest });
  expect(buttonsFor(notice)).toEqual({
    workflowId: handle.workflowId,
    requestId: pending!.requestId,
    argsDigest: pending!.argsDigest,
  });
  await handle.terminate('test done');
});
