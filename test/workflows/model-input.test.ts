import { defaultPayloadConverter } from '@temporalio/common';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { modelInputQuery } from '../../workflows/messages';
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

test('the model gets exactly what `query modelInput` shows, and the history carries only an event count', async () => {
  const handle = await finishedRun();
  const scheduled = ((await handle.fetchHistory()).events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'chooseNextTool');
  const inputs = scheduled.map((attributes) => defaultPayloadConverter.fromPayload<{ agent: string; events: number }>(attributes!.input!.payloads![0]!));
  expect(inputs).toEqual([{ agent: 'deploybot', events: 2 }, { agent: 'deploybot', events: 4 }]);
  expect(Math.max(...scheduled.map((attributes) => attributes!.input!.payloads![0]!.data!.length))).toBeLessThan(100);

  expect(harness.model.requests).toHaveLength(2);
  for (const [index, { events }] of inputs.entries()) {
    const shown = await handle.query(modelInputQuery, { events });
    expect(harness.model.requests[index]!.body.messages).toEqual([
      { role: 'system', content: shown.instructions },
      { role: 'user', content: shown.context },
    ]);
  }
  expect(harness.model.requests[1]!.body.messages[1].content).toContain('list_releases');
});

test('a malformed modelInput query is refused with its reason', async () => {
  const handle = await finishedRun();
  await expect(handle.query(modelInputQuery, { events: -1 })).rejects.toThrow(/malformed modelInput request: events/);
  await expect(handle.query(modelInputQuery, { events: 99 })).rejects.toThrow(/the thread has \d+ events, not 99/);
  await expect(handle.query(modelInputQuery, { events: 1, extra: true } as never)).rejects.toThrow(/Unrecognized key/);
  // With no request: what the model would be sent next, the whole thread so far.
  expect((await handle.query(modelInputQuery)).context).toContain('done_for_now');
});
