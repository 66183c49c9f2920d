import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { threadQuery } from '../../workflows/messages';
import type { ScriptedReply } from '../support/scripted-model-server';
import { startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

test('a 300-step run continues as new every 100 steps and loses nothing for the model or for status', async () => {
  const listing: ScriptedReply = { toolCall: { name: 'list_releases', arguments: { environment: 'staging' } } };
  harness = await startHarness({
    script: [...Array.from({ length: 299 }, () => listing), { toolCall: { name: 'done_for_now', arguments: { message: 'listed 299 times' } } }],
  });
  const workflowId = `long-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'list staging releases 299 times', maxSteps: 400, continueAsNewAfterSteps: 100 }],
  });

  expect(await handle.result()).toEqual({ status: 'completed', result: { message: 'listed 299 times' }, reason: null, steps: 300 });
  const runs = [];
  for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
  expect(runs.length).toBe(3); // steps 1-100, 101-200, 201-300

  const { events, state } = await handle.query(threadQuery);
  expect(events).toHaveLength(2 + 299 * 2 + 2);
  expect(events[1]).toMatchObject({ type: 'user_message', text: 'list staging releases 299 times' });
  expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  expect(state).toMatchObject({ status: 'completed', step: 300 });
  // The last model call still saw the task it was given, across both continues.
  expect(JSON.stringify(harness.model.requests.at(-1)!.body.messages)).toContain('list staging releases 299 times');
}, 240_000);
