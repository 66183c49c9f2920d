import { defaultPayloadConverter } from '@temporalio/common';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { findAgent } from '../../agents';
import { modelInputDigest, renderModelInput } from '../../core/model-input';
import { threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

const call = (name: string, args: Record<string, unknown>) => ({ toolCall: { name, arguments: args } });

async function finishedRun() {
  harness = await startHarness({
    script: [call('list_releases', { environment: 'staging' }), call('done_for_now', { message: 'listed' })],
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `model-input-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list the staging releases' }],
  });
  await handle.result();
  return handle;
}

test('the model gets the input rendered from the events the run counted, and the history carries only that count', async () => {
  const handle = await finishedRun();
  const scheduled = ((await handle.fetchHistory()).events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'chooseNextTool');
  const inputs = scheduled.map((attributes) => defaultPayloadConverter.fromPayload<{ agent: string; events: number }>(attributes!.input!.payloads![0]!));
  expect(inputs).toEqual([{ agent: 'deploybot', events: 2 }, { agent: 'deploybot', events: 4 }]);
  expect(Math.max(...scheduled.map((attributes) => attributes!.input!.payloads![0]!.data!.length))).toBeLessThan(100);
  // The Web UI's summary of each model call says how to see its input.
  const summaries = ((await handle.fetchHistory()).events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool')
    .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata!.summary!));
  expect(summaries).toEqual([1, 2].map((step) => `deploybot step ${step}: choose the next tool (its input: tfa model-input ${handle.workflowId} --step ${step} --run ${handle.firstExecutionRunId})`));

  const { events } = await handle.query(threadQuery);
  expect(harness.model.requests).toHaveLength(2);
  for (const [index, input] of inputs.entries()) {
    const rendered = renderModelInput(findAgent('deploybot')!, events.slice(0, input.events));
    expect(harness.model.requests[index]!.body.messages).toEqual([
      { role: 'system', content: rendered.instructions },
      { role: 'user', content: rendered.context },
    ]);
    // The call records which input it answered.
    expect(events[input.events]).toMatchObject({ type: 'tool_call', inputDigest: modelInputDigest(rendered) });
  }
  expect(harness.model.requests[1]!.body.messages[1].content).toContain('<tool_result tool="list_releases">');
});
