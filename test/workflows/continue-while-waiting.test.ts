// Issue 11: a waiting run continues as new, so a flood of large messages cannot carry its history to
// Temporal's 50 MB limit; the continuation keeps waiting on the same request, deadline included.
import type { WorkflowHandle } from '@temporalio/client';
import { arrayFromPayloads, defaultPayloadConverter } from '@temporalio/common';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { AgentWorkflowInput, type ContinuedWait } from '../../core/run';
import type { ThreadEvent } from '../../core/thread';
import { approveSignal, pauseSignal, resumeSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { eventually, startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

jest.setTimeout(180_000); // floods and continuations on a loaded machine

let harness: Harness;
afterEach(async () => harness?.close());

const DEPLOY_SCRIPT = [
  callTool('deploy_to_production', { ref: 'main' }),
  callTool('done_for_now', { message: 'finished' }),
];

/** Each refused (the `by` is over its limit) and folded, yet each lands whole in the history. */
const LARGE_REFUSED_APPROVAL = { by: 'x'.repeat(40_000) };
const HISTORY_LIMIT = 150_000;

async function startDeploy(options: HarnessOptions = {}): Promise<WorkflowHandle> {
  harness = await startHarness({ script: DEPLOY_SCRIPT, ...options });
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `continue-waiting-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production', continueAsNewAtHistoryBytes: HISTORY_LIMIT }],
  });
}

/**
 * Floods the run until it has continued as new (a run checks after each message it handles, so the
 * flood goes on until it has); returns the continuation's start input and time.
 */
async function floodUntilContinued(handle: WorkflowHandle): Promise<AgentWorkflowInput & { startedAt: number }> {
  const { runId: firstRunId } = await handle.describe();
  let sent = 0;
  for (; sent < 5; sent++) await handle.signal(approveSignal, LARGE_REFUSED_APPROVAL);
  let last = '';
  const latest = await eventually(
    async () => {
      const description = await handle.describe();
      last = `run ${description.runId}: ${description.historyLength} events, ${description.historySize} bytes, ${description.status.name}`;
      if (description.runId !== firstRunId) return description;
      if (sent++ < 40) await handle.signal(approveSignal, LARGE_REFUSED_APPROVAL); // 1.6 MB at most
      return undefined;
    },
    60_000,
    () => last,
  );
  const history = await harness.client.workflow.getHandle(handle.workflowId, latest.runId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const [input] = arrayFromPayloads(defaultPayloadConverter, started?.input?.payloads ?? []);
  return { ...AgentWorkflowInput.parse(input), startedAt: latest.startTime.getTime() };
}

const pendingRequestOf = (events: readonly ThreadEvent[]) =>
  events.findLast((event) => event.type === 'approval_requested');

test('a flood of large refused approvals while a deploy waits continues the run as new, still waiting on the same request; the approval then deploys exactly once', async () => {
  const handle = await startDeploy();
  const waiting = await waitForState(handle, (state) => state.status === 'awaiting_approval');

  const continued = await floodUntilContinued(handle);
  expect(continued.continued?.waiting).toMatchObject({ requestId: waiting.pending!.requestId, phase: 'asked' });
  const state = await handle.query(statusQuery);
  expect(state).toMatchObject({
    status: 'awaiting_approval',
    pending: { requestId: waiting.pending!.requestId, tool: 'deploy_to_production' },
  });

  await handle.signal(approveSignal, { by: 'alice', requestId: waiting.pending!.requestId });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const events = (await handle.query(threadQuery)).events;
  expect(events.filter((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production')).toHaveLength(
    1,
  );
  expect(harness.notifications.filter((text) => text.includes(waiting.pending!.requestId))).toHaveLength(1); // asked once, not again
});

test('the continuation keeps the request deadline: the timer resumes where it stood, not from the start', async () => {
  const requestTimeoutMs = 3_600_000;
  const handle = await startDeploy({ policy: { agents: { deploybot: { requestTimeoutMs } } } });
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const asked = pendingRequestOf((await handle.query(threadQuery)).events)!;

  const continued = await floodUntilContinued(handle);
  const wait: ContinuedWait | undefined = continued.continued?.waiting;
  expect(wait).toMatchObject({ requestId: 'requestId' in asked ? asked.requestId : '', phase: 'asked' });
  // Counted from when the request was made (after its notice went out), not from the continuation.
  expect(wait!.deadline).toBeGreaterThanOrEqual(Date.parse(asked.at) + requestTimeoutMs);
  expect(wait!.deadline).toBeLessThan(continued.startedAt + requestTimeoutMs);
  await handle.terminate('test done');
});

test('a request already escalated stays escalated in the continuation, with the escalation deadline', async () => {
  const escalationTimeoutMs = 3_600_000;
  const handle = await startDeploy({
    policy: { agents: { deploybot: { requestTimeoutMs: 1_000, escalationTimeoutMs } } },
  });
  const escalated = await eventually(
    async () => (await handle.query(threadQuery)).events.find((event) => event.type === 'request_escalated'),
    60_000,
  );

  const continued = await floodUntilContinued(handle);
  const wait = continued.continued?.waiting;
  expect(wait).toMatchObject({ requestId: escalated.requestId, phase: 'escalated' });
  expect(wait!.deadline).toBeGreaterThanOrEqual(Date.parse(escalated.at) + escalationTimeoutMs);
  expect(wait!.deadline).toBeLessThan(continued.startedAt + escalationTimeoutMs);
  expect(await handle.query(statusQuery)).toMatchObject({
    status: 'awaiting_approval',
    pending: { requestId: escalated.requestId },
  });
  expect(harness.notifications.filter((text) => text.includes('ESCALATED'))).toHaveLength(1);
  await handle.terminate('test done');
});

test('a run flooded while paused continues as new still paused, and a resume carries it on to the end', async () => {
  harness = await startHarness({
    script: [callTool('list_releases', {}), callTool('done_for_now', { message: 'listed' })],
  });
  // Started with the pause, so the run pauses at its first step boundary: nothing races the test.
  const handle = await harness.client.workflow.signalWithStart(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `continue-paused-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'list the releases', continueAsNewAtHistoryBytes: HISTORY_LIMIT }],
    signal: pauseSignal,
    signalArgs: [{ by: 'gina', reason: 'hold on' }],
  });
  await waitForState(handle, (state) => state.status === 'paused');

  await floodUntilContinued(handle);
  expect(await handle.query(statusQuery)).toMatchObject({ status: 'paused' });

  await handle.signal(resumeSignal, { by: 'gina' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const types = (await handle.query(threadQuery)).events.map((event) => event.type);
  expect(types.filter((type) => type === 'paused')).toHaveLength(1);
  expect(types.indexOf('resumed')).toBeGreaterThan(types.indexOf('paused'));
  expect(types.at(-1)).toBe('done');
});
