import { defaultPayloadConverter } from '@temporalio/common';
import OpenAI from 'openai';
import { createChooseNextTool } from '../../activities/choose-next-tool';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { findAgent } from '../../agents';
import { modelInputDigest, renderModelInput } from '../../core/model-input';
import { threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => {
  await harness?.close();
  harness = undefined as unknown as Harness;
});

async function finishedRun() {
  harness = await startHarness({
    script: [callTool('list_releases', { environment: 'staging' }), callTool('done_for_now', { message: 'listed' })],
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `model-input-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list the staging releases' }],
  });
  await handle.result();
  return handle;
}

type ScheduledInput = { agent: string; instructions: string; context: string };
type DecisionResult = { chained?: Array<{ context: string }> };

/**
 * Every model input as the Web UI shows it: each model activity's input, then the context of each
 * decision it chained after a read-only step (in its result; the instructions are the activity's).
 */
async function modelInputsInHistory(handle: Awaited<ReturnType<typeof finishedRun>>) {
  const history = (await handle.fetchHistory()).events ?? [];
  const scheduled = history.filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool',
  );
  return scheduled.flatMap((event) => {
    const input = defaultPayloadConverter.fromPayload<ScheduledInput>(
      event.activityTaskScheduledEventAttributes!.input!.payloads![0]!,
    );
    const completed = history.find(
      (later) => String(later.activityTaskCompletedEventAttributes?.scheduledEventId) === String(event.eventId),
    )!;
    const result = defaultPayloadConverter.fromPayload<DecisionResult>(
      completed.activityTaskCompletedEventAttributes!.result!.payloads![0]!,
    );
    const summary = defaultPayloadConverter.fromPayload<string>(event.userMetadata!.summary!);
    const chained = (result.chained ?? []).map(({ context }) => ({ ...input, context }));
    return [{ ...input, summary }, ...chained.map((chainedInput) => ({ ...chainedInput, summary: undefined }))];
  });
}

test('each model call carries exactly the input the model was sent, as the Web UI shows it', async () => {
  const handle = await finishedRun();
  const inputs = await modelInputsInHistory(handle);
  // list_releases is read-only: the same activity decided the next step, and its result holds that input.
  expect(inputs.map((input) => input.summary)).toEqual(['deploybot step 1: choose the next tool', undefined]);

  const { events } = await handle.query(threadQuery);
  const calls = events.flatMap((event, index) => (event.type === 'tool_call' ? [index] : []));
  expect(harness.model.requests).toHaveLength(2);
  for (const [index, input] of inputs.entries()) {
    const rendered = renderModelInput(findAgent('deploybot')!, events.slice(0, calls[index]));
    expect(input).toMatchObject({ agent: 'deploybot', ...rendered });
    expect(harness.model.requests[index]!.body.messages).toEqual([
      { role: 'system', content: input.instructions },
      { role: 'user', content: input.context },
    ]);
    // The call records which input it answered, so `tfa model-input` can check a re-rendering.
    expect(events[calls[index]!]).toMatchObject({ type: 'tool_call', inputDigest: modelInputDigest(rendered) });
  }
  expect(inputs[1]!.context).toContain("<tool_result tool='list_releases'>");
});

test('a model call scheduled with an event count (before model-input-inline-v1) is refused, not read back', async () => {
  const chooseNextTool = createChooseNextTool({
    openai: new OpenAI({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9' }),
  });
  await expect(chooseNextTool({ agent: 'deploybot', events: 2 })).rejects.toThrow(/event count/);
});
