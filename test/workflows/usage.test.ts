import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL } from '../../core/constants';
import type { AgentRunResult } from '../../core/run';
import type { EventOf } from '../../core/thread';
import { grandTotal } from '../../core/usage';
import type { DeployState } from '../../agents/pipeline';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { startPipeline, testsPassThenDeploy, waitForChildApproval } from '../support/deploy-pipeline';
import { startHarness, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => harness?.close());

test("every model call records the usage the endpoint reported, an invalid answer's included, and status totals them", async () => {
  harness = await startHarness({
    script: [
      callTool('list_releases', { environment: 'staging' }),
      { text: 'I think everything is fine.' }, // no tool call: a model error that still used tokens
      callTool('done_for_now', { message: 'nothing to do' }),
    ],
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `usage-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging releases' }],
  });
  const result: AgentRunResult = await handle.result();
  const { events, state } = await handle.query(threadQuery);

  const calls = events.filter((event): event is EventOf<'tool_call'> => event.type === 'tool_call');
  const modelError = events.find(
    (event): event is EventOf<'error'> => event.type === 'error' && event.source === 'model',
  );
  const reported = [...calls.map((event) => event.usage), modelError?.usage];
  expect(reported).toHaveLength(3);
  for (const usage of reported) {
    expect(usage).toMatchObject({
      model: DEFAULT_MODEL,
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
      cachedInputTokens: 0,
    });
    expect(usage!.inputTokens).toBeGreaterThan(100); // the prompt and context, counted by the scripted model
    expect(usage).not.toHaveProperty('costUsd'); // this worker has no price table
  }
  const total = grandTotal(state.usage);
  expect(total).toEqual({
    calls: harness.model.requests.length,
    inputTokens: reported.reduce((sum, usage) => sum + usage!.inputTokens, 0),
    outputTokens: reported.reduce((sum, usage) => sum + usage!.outputTokens, 0),
    cachedInputTokens: 0,
    costUsd: 0,
    unpricedCalls: 3,
  });
  expect(result.usage).toEqual(state.usage);
});

test("a run's usage totals survive continue-as-new", async () => {
  const listings = Array.from({ length: 60 }, () => callTool('list_releases', { environment: 'staging' }));
  harness = await startHarness({ script: [...listings, callTool('done_for_now', { message: 'listed 60 times' })] });
  const workflowId = `usage-continued-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [
      { agent: 'deploybot', message: 'list staging releases 60 times', maxSteps: 100, continueAsNewAfterSteps: 55 },
    ],
  });
  const result: AgentRunResult = await handle.result();
  const runs = [];
  for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run);
  expect(runs.length).toBe(2); // steps 1-55, 56-61
  expect(grandTotal(result.usage).calls).toBe(61);
  expect(harness.model.requests).toHaveLength(61);
  const { events, state } = await handle.query(threadQuery);
  // The last run holds the recent calls and a note for the rest: the totals came through the note's state.
  expect(
    events.find((event): event is EventOf<'earlier_events'> => event.type === 'earlier_events')!.count,
  ).toBeGreaterThan(0);
  expect(events.filter((event) => event.type === 'tool_call').length).toBeLessThan(61);
  expect(state.usage).toEqual(result.usage);
});

test("the deploy pipeline sums its children's usage", async () => {
  harness = await startHarness();
  harness.model.enqueue(...testsPassThenDeploy(await harness.fixture.sha('main')));
  const handle = await startPipeline(harness, 'main', `usage-deploy-${Date.now()}`);
  await waitForChildApproval(harness.client.workflow, handle.workflowId);
  await handle.signal(approveSignal, { by: 'alice' });
  const result: DeployState = await handle.result();
  expect(result.outcome).toBe('deployed');
  const childCalls = result.children.map((child) => grandTotal(child.result?.usage).calls);
  expect(childCalls).toEqual([3, 2]);
  expect(grandTotal(result.usage)).toMatchObject({
    calls: 5,
    inputTokens: result.children.reduce((sum, child) => sum + grandTotal(child.result?.usage).inputTokens, 0),
  });
});
