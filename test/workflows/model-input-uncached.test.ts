import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { CountModelInputTokensInput, PlanModelInputInput } from '../../activities/plan-model-input';
import { findAgent } from '../../agents';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { renderModelInput, type ModelInput } from '../../core/model-input';
import { PAYLOAD_CONVERTER_PATH } from '../../worker/create-worker';
import { threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';
import { testServerAddress, workflowBundlePath } from '../support/test-server';

let harness: Harness | undefined;
afterEach(async () => harness?.close());

test('a run replayed from its history at every step rebuilds its context planner and still sends what renderModelInput renders', async () => {
  let activities: Activities | undefined;
  harness = await startHarness({
    script: ['main', 'main', 'main'].map((ref) => ({ toolCall: { name: 'deploy_to_staging', arguments: { ref } } })),
    wrapActivities: (real) => (activities = real),
  });
  harness.model.enqueue({ toolCall: { name: 'done_for_now', arguments: { message: 'listed' } } });
  const asked: string[][] = [];
  const connection = await NativeConnection.connect({ address: testServerAddress() });
  const taskQueue = `${harness.taskQueue}-uncached`;
  // No workflow cache: each workflow task replays the run from its history, as after an eviction.
  const worker = await Worker.create({
    connection,
    taskQueue,
    maxCachedWorkflows: 0,
    workflowBundle: { codePath: workflowBundlePath() },
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH },
    activities: {
      ...activities!,
      async planModelInput(input: PlanModelInputInput | CountModelInputTokensInput) {
        if ('texts' in input) asked.push(input.texts);
        return activities!.planModelInput(input);
      },
    },
  });
  await worker.runUntil(async () => {
    const handle = await harness!.client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `uncached-${Date.now()}`,
      // A spend budget keeps each step's decision in a model activity of its own (nothing is decided ahead).
      args: [{ agent: 'deploybot', message: 'deploy main to staging three times', maxTokens: 1_000_000 }],
    });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const history = await handle.fetchHistory();
    const inputs = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool')
      .map((event) => {
        const payload = event.activityTaskScheduledEventAttributes!.input!.payloads![0]!;
        const { instructions, context } = defaultPayloadConverter.fromPayload<ModelInput>(payload);
        return { instructions, context };
      });
    const { events } = await handle.query(threadQuery);
    const calls = events.flatMap((event, index) => (event.type === 'tool_call' ? [index] : []));
    expect(inputs).toEqual(calls.map((call) => renderModelInput(findAgent('deploybot')!, events.slice(0, call))));
    // Only live steps count, each with a planner built anew: every line of the log, the task's first.
    expect(asked).toHaveLength(4);
    for (const texts of asked) expect(texts).toContainEqual(expect.stringMatching(/^ {2}<user_message>/));
    await Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, history, handle.workflowId);
  });
  await connection.close();
}, 90_000);
