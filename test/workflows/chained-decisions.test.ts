import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { findAgent } from '../../agents';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { modelInputDigest, renderModelInput } from '../../core/model-input';
import type { EventOf } from '../../core/thread';
import { approveSignal, pauseSignal, resumeSignal, threadQuery } from '../../workflows/messages';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

// Issue 12, item 1: after a read-only step the model activity decides the next steps itself, from the
// worker's copy of the thread, while each chosen tool is read-only. These tests pin what the chain
// must keep: every step's input recorded and equal to the thread's rendering, the approval boundary,
// step limits without wasted model calls, and signals acted on before the model is asked again.

let harness: Harness;
afterEach(async () => harness?.close());

const deploybot = findAgent('deploybot')!;
const lists = (count: number) =>
  Array.from({ length: count }, (_, index) =>
    callTool('list_releases', { environment: index % 2 ? 'production' : 'staging' }),
  );

async function start(script: ScriptedReply[], extra: { maxSteps?: number } = {}, runCheckIntervalMs?: number) {
  harness = await startHarness({ script, runCheckIntervalMs });
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `chained-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'look at the releases', ...extra }],
  });
}

/** A promise that settles when `open` is called: holds a model reply or a tool until the test lets it go. */
function gate() {
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  return { held, open };
}

/** Pauses the run while the chain's second model call is held, then lets that call answer. */
async function pauseDuringHeldCall(handle: WorkflowHandle, open: () => void): Promise<void> {
  await eventually(() => harness.model.requests.length === 2); // the chained decision is in flight, held
  await handle.signal(pauseSignal, { by: 'carol', reason: 'hold on' });
  await eventually(async () => {
    const { events } = await handle.query(threadQuery);
    return events.some((event) => event.type === 'pause_requested');
  });
  open();
  await waitForState(handle, (state) => state.status === 'paused');
}

async function modelActivities(handle: WorkflowHandle) {
  const history = (await handle.fetchHistory()).events ?? [];
  return history
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool')
    .map((event) => {
      const completed = history.find(
        (later) => String(later.activityTaskCompletedEventAttributes?.scheduledEventId) === String(event.eventId),
      );
      const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
      return payload
        ? defaultPayloadConverter.fromPayload<{ tool: string; chained?: Array<{ tool: string; context: string }> }>(
            payload,
          )
        : undefined;
    });
}

const toolCalls = (events: Awaited<ReturnType<WorkflowHandle['query']>>) =>
  (events as { events: Array<{ type: string }> }).events.filter(
    (event): event is EventOf<'tool_call'> => event.type === 'tool_call',
  );

test('a loop of read-only steps is decided in one model activity, each step recorded with the input the model was sent', async () => {
  const handle = await start([...lists(5), callTool('done_for_now', { message: 'listed 5 times' })]);
  expect((await handle.result()).status).toBe('completed');
  const activities = await modelActivities(handle);
  expect(activities).toHaveLength(1);
  expect(activities[0]!.chained!.map((decision) => decision.tool)).toEqual([
    'list_releases',
    'list_releases',
    'list_releases',
    'list_releases',
    'done_for_now',
  ]);
  const { events } = await handle.query(threadQuery);
  const calls = events.flatMap((event, index) => (event.type === 'tool_call' ? [index] : []));
  expect(calls).toHaveLength(6);
  expect(harness.model.requests).toHaveLength(6);
  for (const [step, index] of calls.entries()) {
    // What the model got is what the thread renders for that step, and what the call records.
    const rendered = renderModelInput(deploybot, events.slice(0, index));
    expect(harness.model.requests[step]!.body.messages).toEqual([
      { role: 'system', content: rendered.instructions },
      { role: 'user', content: rendered.context },
    ]);
    expect(events[index]).toMatchObject({ inputDigest: modelInputDigest(rendered) });
    if (step > 0) expect(activities[0]!.chained![step - 1]!.context).toBe(rendered.context);
  }
  const results = events.filter((event) => event.type === 'tool_result');
  expect(results.map((event) => event.tool)).toEqual(Array(5).fill('list_releases'));
});

test('a chained decision that needs approval still waits for it: the chain ends at the first tool that is not read-only', async () => {
  const handle = await start([
    callTool('list_releases', { environment: 'staging' }),
    callTool('deploy_to_production', { ref: 'main' }),
    callTool('done_for_now', { message: 'deployed' }),
  ]);
  const deployResults = async () =>
    (await handle.query(threadQuery)).events.filter(
      (event) => event.type === 'tool_result' && event.tool === 'deploy_to_production',
    );
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  expect(await deployResults()).toHaveLength(0);
  expect(harness.model.requests).toHaveLength(2);
  await handle.signal(approveSignal, { by: 'alice' });
  expect((await handle.result()).status).toBe('completed');
  expect(await deployResults()).toHaveLength(1);
  const activities = await modelActivities(handle);
  // After the deploy, its own activity chose done_for_now (decideNext): no model activity of its own.
  expect(activities.map((activity) => [activity!.tool, ...(activity!.chained ?? []).map((d) => d.tool)])).toEqual([
    ['list_releases', 'deploy_to_production'],
  ]);
});

test('a chain stops at the run step limit: no model call is made for a step the run will not take', async () => {
  const handle = await start(lists(5), { maxSteps: 3 });
  expect((await handle.result()).status).toBe('max_steps_reached');
  expect(harness.model.requests).toHaveLength(3);
  expect(toolCalls(await handle.query(threadQuery))).toHaveLength(3);
});

test('a pause that reaches the run during a chained decision is acted on before the model is asked again', async () => {
  const { held, open } = gate();
  const handle = await start(
    [
      callTool('list_releases', { environment: 'staging' }),
      { waitFor: held, then: callTool('list_releases', { environment: 'production' }) },
      callTool('list_releases', { environment: 'production' }),
      callTool('done_for_now', { message: 'listed' }),
    ],
    {},
    0, // the chain checks the run before each call
  );
  await pauseDuringHeldCall(handle, open);
  // The chain made no call after the pause reached the run; the run paused at the step it had recorded.
  expect(harness.model.requests).toHaveLength(2);
  expect(toolCalls(await handle.query(threadQuery)).map((call) => call.tool)).toEqual(['list_releases']);
  await handle.signal(resumeSignal, { by: 'carol' });
  expect((await handle.result()).status).toBe('completed');
  // The decision made before the pause was let go: the model decided again, seeing the pause and the resume.
  const { events } = await handle.query(threadQuery);
  const calls = toolCalls({ events } as never);
  expect(calls.map((call) => call.tool)).toEqual(['list_releases', 'list_releases', 'done_for_now']);
  expect(harness.model.requests).toHaveLength(4);
  const afterResume = harness.model.requests[2]!.body.messages[1].content as string;
  expect(afterResume).toContain('<resumed');
  expect(calls[1]).toMatchObject({
    inputDigest: modelInputDigest(renderModelInput(deploybot, events.slice(0, events.indexOf(calls[1]!)))),
  });
});

test('a pause that reaches the run between two checks: the decisions made after it are let go, and the model is asked again', async () => {
  const { held, open } = gate();
  const handle = await start(
    [
      callTool('list_releases', { environment: 'staging' }),
      { waitFor: held, then: callTool('list_releases', { environment: 'production' }) },
      callTool('list_releases', { environment: 'staging' }),
      callTool('done_for_now', { message: 'decided after the pause: let go' }),
      callTool('done_for_now', { message: 'listed' }),
    ],
    {},
    60 * 60_000, // no check during the test: only the workflow can see the pause
  );
  await pauseDuringHeldCall(handle, open);
  // The chain went on unchecked; the workflow took only the step recorded before the pause.
  expect(harness.model.requests).toHaveLength(4);
  expect(toolCalls(await handle.query(threadQuery)).map((call) => call.tool)).toEqual(['list_releases']);
  await handle.signal(resumeSignal, { by: 'carol' });
  const result = await handle.result();
  expect(result).toMatchObject({ status: 'completed', result: { message: 'listed' } });
  const { events } = await handle.query(threadQuery);
  expect(toolCalls({ events } as never).map((call) => call.tool)).toEqual(['list_releases', 'done_for_now']);
  expect(harness.model.requests[4]!.body.messages[1].content as string).toContain('<resumed');
});

test('a model call that fails inside a chain is not recorded there: the run asks again as its own step', async () => {
  const handle = await start([
    callTool('list_releases', { environment: 'staging' }),
    { status: 400, body: { error: { message: 'bad request (scripted)' } } },
    callTool('done_for_now', { message: 'listed' }),
  ]);
  const result = await handle.result();
  const { events } = await handle.query(threadQuery);
  // The 400 reached the chain, which ended; the run's own step then got done_for_now.
  expect(result.status).toBe('completed');
  expect(toolCalls({ events } as never).map((call) => call.tool)).toEqual(['list_releases', 'done_for_now']);
  expect(events.filter((event) => event.type === 'error')).toHaveLength(0);
  expect(harness.model.requests).toHaveLength(3);
});

async function toolActivityResults(handle: WorkflowHandle) {
  const history = (await handle.fetchHistory()).events ?? [];
  return history.flatMap((event) => {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    const scheduled = history.find(
      (earlier) => String(earlier.eventId) === String(event.activityTaskCompletedEventAttributes?.scheduledEventId),
    );
    if (!payload || scheduled?.activityTaskScheduledEventAttributes?.activityType?.name !== 'executeTool') return [];
    return [
      defaultPayloadConverter.fromPayload<{
        output: string;
        next?: { tool: string; instructions: string; context: string; inputDigest: string };
      }>(payload),
    ];
  });
}

test("a step that acts is one round trip: the tool's activity decides the next step, recorded with the input the model was sent", async () => {
  const handle = await start([
    callTool('deploy_to_staging', { ref: 'main' }),
    callTool('deploy_to_staging', { ref: 'main' }),
    callTool('done_for_now', { message: 'deployed twice' }),
  ]);
  expect((await handle.result()).status).toBe('completed');
  expect(await modelActivities(handle)).toHaveLength(1);
  const decidedAfter = (await toolActivityResults(handle)).filter((result) => result.next);
  expect(decidedAfter.map((result) => result.next!.tool)).toEqual(['deploy_to_staging', 'done_for_now']);
  const { events } = await handle.query(threadQuery);
  const calls = events.flatMap((event, index) => (event.type === 'tool_call' ? [index] : []));
  expect(harness.model.requests).toHaveLength(3);
  for (const [index, result] of decidedAfter.entries()) {
    const call = calls[index + 1]!;
    const rendered = renderModelInput(deploybot, events.slice(0, call));
    expect({ instructions: result.next!.instructions, context: result.next!.context }).toEqual(rendered);
    expect(harness.model.requests[index + 1]!.body.messages[1].content).toBe(rendered.context);
    expect(events[call]).toMatchObject({ inputDigest: modelInputDigest(rendered) });
  }
});

test("a pause that reaches the run while its tool runs: the tool's activity decides nothing, and the run pauses after the tool", async () => {
  const { held: toolHeld, open } = gate();
  const { held: started, open: toolStarted } = gate();
  harness = await startHarness({
    script: [callTool('deploy_to_staging', { ref: 'main' }), callTool('done_for_now', { message: 'deployed' })],
    runCheckIntervalMs: 0, // the tool's activity checks the run before it decides
    executors: {
      deploybot: {
        list_releases: async () => [],
        deploy_to_staging: async () => {
          toolStarted();
          await toolHeld;
          return { deployed: true };
        },
      },
    },
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `chained-pause-in-tool-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'deploy main to staging' }],
  });
  await started;
  await handle.signal(pauseSignal, { by: 'carol', reason: 'look at staging first' });
  await waitForState(handle, (state) => state.pauseRequested !== undefined);
  open();
  await waitForState(handle, (state) => state.status === 'paused');
  expect(harness.model.requests).toHaveLength(1); // no decision was made after the tool
  expect((await toolActivityResults(handle)).every((result) => result.next === undefined)).toBe(true);
  await handle.signal(resumeSignal, { by: 'carol' });
  expect((await handle.result()).status).toBe('completed');
  expect(harness.model.requests).toHaveLength(2);
});
