import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Activities } from '../../activities';
import { forkRun, type ForkRequest } from '../../client/fork-run';
import { createRuns } from '../../client/runs';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { ForkRefusedError } from '../../core/fork';
import type { EventOf, ThreadEvent } from '../../core/thread';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { startDeployRun } from '../support/awaiting-approval';
import { startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';
import { alice, trustPolicy } from '../support/identities';

let harness: Harness;
afterEach(async () => harness?.close());

/** Every tool the worker ran (context loaders included), by workflow id. */
let toolRuns: Array<{ workflowId: string; tool: string }>;

async function start(script: ScriptedReply[], options: HarnessOptions = {}): Promise<void> {
  toolRuns = [];
  harness = await startHarness({
    script,
    ...options,
    wrapActivities: (activities): Activities => ({
      ...activities,
      executeTool: async (input) => {
        toolRuns.push({ workflowId: input.operationId.split('/')[0]!, tool: input.tool });
        return activities.executeTool(input);
      },
    }),
  });
}

const fork = (request: ForkRequest) => forkRun(harness.client, harness.taskQueue, request);
const handleOf = (workflowId: string) => harness.client.workflow.getHandle(workflowId);
const eventOf = <T extends ThreadEvent['type']>(events: readonly ThreadEvent[], type: T) =>
  events.find((event): event is EventOf<T> => event.type === type)!;

/** A finished DeployBot run: production deploy of main asked, approved by alice, run, then done. */
async function approvedDeployRun(): Promise<{ workflowId: string; events: ThreadEvent[] }> {
  const source = await startDeployRun(harness, 'fork-source');
  await waitForState(source, (state) => state.status === 'awaiting_approval');
  await createRuns(harness.client, harness.taskQueue).approve(source.workflowId, { by: 'alice' });
  expect(await source.result()).toMatchObject({ status: 'completed' });
  return { workflowId: source.workflowId, events: (await source.query(threadQuery)).events };
}

/** The fork waits for a fresh approval, runs nothing meanwhile, and deploys only once that is granted. */
async function expectFreshApproval(sourceEvents: ThreadEvent[], forked: WorkflowHandle): Promise<void> {
  const oldRequest = eventOf(sourceEvents, 'approval_requested');
  const { pending } = await waitForState(forked, (state) => state.status === 'awaiting_approval');
  expect(pending!.requestId).not.toBe(oldRequest.requestId);
  const waiting = (await forked.query(threadQuery)).events;
  const own = waiting.slice(waiting.findIndex((event) => event.type === 'forked') + 1);
  expect(own.map((event) => event.type)).toEqual(['approval_requested']);
  expect(toolRuns.filter((run) => run.workflowId === forked.workflowId)).toEqual([]);

  // Two requests are on its thread now (the source's and its own): a decision names the one it decides.
  await createRuns(harness.client, harness.taskQueue).approve(forked.workflowId, {
    by: 'bob',
    requestId: pending!.requestId,
  });
  expect(await forked.result()).toMatchObject({ status: 'completed', result: { message: 'fork finished' } });
  const events = (await forked.query(threadQuery)).events;
  const after = events.slice(events.findIndex((event) => event.type === 'forked') + 1);
  expect(after.map((event) => event.type)).toEqual([
    'approval_requested',
    'approval_granted',
    'tool_result',
    'tool_call',
    'done',
  ]);
  expect(eventOf(after, 'approval_granted')).toMatchObject({ requestId: pending!.requestId, by: 'bob' });
  expect(toolRuns.filter((run) => run.workflowId === forked.workflowId).map((run) => run.tool)).toEqual([
    'deploy_to_production',
  ]);
}

const PRODUCTION_THEN_TWO_ENDINGS = [
  callTool('deploy_to_production', { ref: 'main' }),
  callTool('done_for_now', { message: 'source finished' }),
  callTool('done_for_now', { message: 'fork finished' }),
];

test("a fork at a step holds the source's events before that step and a forked event, then decides that step anew", async () => {
  await start([
    callTool('list_releases', { environment: 'staging' }),
    callTool('done_for_now', { message: 'first answer' }),
    callTool('done_for_now', { message: 'another answer' }),
  ]);
  const source = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `fork-step-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'what runs in staging?' }],
  });
  expect(await source.result()).toMatchObject({ result: { message: 'first answer' } });
  const sourceEvents = (await source.query(threadQuery)).events;
  const stepTwo = sourceEvents.findLastIndex((event) => event.type === 'tool_call');

  const started = await fork({ workflowId: source.workflowId, at: { step: 2 }, requestedBy: 'alice' });
  const forked = handleOf(started.workflowId);
  expect(await forked.result()).toMatchObject({ status: 'completed', result: { message: 'another answer' }, steps: 2 });
  const { events } = await forked.query(threadQuery);
  expect(events.slice(0, stepTwo)).toEqual(sourceEvents.slice(0, stepTwo));
  expect(events[stepTwo]).toMatchObject({
    type: 'forked',
    workflowId: source.workflowId,
    runId: (await source.describe()).runId,
    eventId: sourceEvents[stepTwo - 1]!.id,
    steps: 1,
    by: 'alice',
  });
  expect(events.slice(stepTwo + 1).map((event) => event.type)).toEqual(['tool_call', 'done']);
  expect(started.temporalCommand).toContain(`--type agentWorkflow --task-queue ${harness.taskQueue}`);
  expect(started.temporalCommand).toContain('"fork":{"workflowId"');
});

test('a fork does not run the context loaders again: the loaded context comes with the kept events', async () => {
  await start([callTool('done_for_now', { message: 'source' }), callTool('done_for_now', { message: 'fork' })]);
  const source = await startDeployRun(harness, 'fork-loaders');
  await source.result();
  const loadedBySource = (await source.query(threadQuery)).events.filter((event) => event.type === 'context_loaded');
  expect(loadedBySource).toHaveLength(2);

  const forked = handleOf((await fork({ workflowId: source.workflowId, at: { step: 1 } })).workflowId);
  expect(await forked.result()).toMatchObject({ result: { message: 'fork' } });
  const { events } = await forked.query(threadQuery);
  expect(events.filter((event) => event.type === 'context_loaded')).toEqual(loadedBySource);
  expect(toolRuns.filter((run) => run.workflowId === forked.workflowId)).toEqual([]);
  const history = await forked.fetchHistory();
  const scheduled = (history.events ?? []).filter(
    (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  );
  expect(scheduled.map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)).not.toContain(
    'executeTool',
  );
  const { messages } = harness.model.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
  expect(messages.find((message) => message.role === 'user')!.content).toContain(
    "<context_loaded tool='list_releases' args='{environment: staging}'>",
  );
});

test('a fork cut between an approval request and its decision asks for approval anew and deploys only after it', async () => {
  await start(PRODUCTION_THEN_TWO_ENDINGS);
  const source = await approvedDeployRun();
  const request = eventOf(source.events, 'approval_requested');
  const forked = handleOf((await fork({ workflowId: source.workflowId, at: { eventId: request.id } })).workflowId);
  await expectFreshApproval(source.events, forked);
});

test('a fork cut between an approval and the tool result asks for approval anew and deploys only after it', async () => {
  await start(PRODUCTION_THEN_TWO_ENDINGS);
  const source = await approvedDeployRun();
  const granted = eventOf(source.events, 'approval_granted');
  const forked = handleOf((await fork({ workflowId: source.workflowId, at: { eventId: granted.id } })).workflowId);
  await expectFreshApproval(source.events, forked);
});

test('a cut the source does not have is refused with the reason, by tfa fork and by the workflow itself', async () => {
  await start([callTool('done_for_now', { message: 'only answer' })]);
  const source = await startDeployRun(harness, 'fork-range');
  await source.result();
  const { events } = await source.query(threadQuery);
  const refusal = (request: Omit<ForkRequest, 'workflowId'>) =>
    fork({ workflowId: source.workflowId, ...request }).then(
      () => 'started',
      (error: unknown) => (error instanceof ForkRefusedError ? error.message : `unexpected: ${String(error)}`),
    );
  expect(await refusal({ at: { step: 2 } })).toMatch(/has no step 2: it has made 1 model decision/);
  expect(await refusal({ at: { eventId: 'nope' } })).toMatch(/has no event nope/);
  expect(await refusal({ at: { eventId: events.at(-1)!.id } })).toMatch(/ends the run: fork at an earlier/);
  expect(await refusal({ at: { eventId: events[0]!.id } })).toMatch(/leaves out the task/);

  // The Temporal CLI's path, with no client-side check: the fork itself refuses and fails, saying why.
  const direct = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `fork-direct-${Date.now()}`,
    args: [{ agent: 'deploybot', fork: { workflowId: source.workflowId, at: { step: 5 } } }],
  });
  await expect(direct.result()).rejects.toMatchObject({
    cause: { type: 'ForkRefusedError', message: expect.stringMatching(/has no step 5/) },
  });
});

test('a fork start input that carries events is refused: only the fork reads the source thread', async () => {
  await start([callTool('done_for_now', { message: 'only answer' })]);
  const source = await startDeployRun(harness, 'fork-forged');
  await source.result();
  const { events } = await source.query(threadQuery);
  const forged = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `fork-forged-${Date.now()}`,
    args: [{ agent: 'deploybot', fork: { workflowId: source.workflowId, at: { step: 1 }, events } }],
  });
  await expect(forged.result()).rejects.toMatchObject({ cause: { type: 'ConfigurationError' } });
});

test('a fork cut inside a quorum asks anew: an approval counted before the cut does not count towards the new request', async () => {
  const policy = trustPolicy({
    agents: { deploybot: { approvers: { deploy_to_production: { anyOf: ['alice', 'bob'], count: 2 } } } },
  });
  await start(PRODUCTION_THEN_TWO_ENDINGS, { policy });
  const source = await startDeployRun(harness, 'fork-quorum');
  await waitForState(source, (state) => state.status === 'awaiting_approval');
  const runs = createRuns(harness.client, harness.taskQueue);
  const { body } = await runs.signedBody(source.workflowId, { action: 'approve', by: 'alice' }, alice.sign);
  await source.signal(approveSignal, body as never);
  await waitForState(source, (state) => state.pending?.approvedBy?.includes('alice') ?? false);
  const counted = eventOf((await source.query(threadQuery)).events, 'approval_counted');

  const forked = handleOf((await fork({ workflowId: source.workflowId, at: { eventId: counted.id } })).workflowId);
  const { pending } = await waitForState(
    forked,
    (state) => state.status === 'awaiting_approval' && state.pending?.requestId !== counted.requestId,
  );
  expect(pending).toMatchObject({ quorum: { of: ['alice', 'bob'], count: 2 }, approvedBy: [] });
  expect(toolRuns.filter((run) => run.workflowId === forked.workflowId)).toEqual([]);
});

test("a fork start input naming its own task, step limit or budget is refused: a fork keeps the source's", async () => {
  await start([callTool('done_for_now', { message: 'only answer' })]);
  const source = await startDeployRun(harness, 'fork-own-budget');
  await source.result();
  const forked = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `fork-own-budget-${Date.now()}`,
    args: [{ agent: 'deploybot', fork: { workflowId: source.workflowId, at: { step: 1 } }, maxTokens: 1_000_000 }],
  });
  await expect(forked.result()).rejects.toMatchObject({
    cause: { type: 'ConfigurationError', message: expect.stringMatching(/a fork keeps .* leave out maxTokens/) },
  });
});

test("a fork of a budgeted run reads the budget's approvers too: alice, a default approver, grants the fork another window", async () => {
  const list = callTool('list_releases', { environment: 'staging' });
  await start([list, list, list, list, list, list], { policy: trustPolicy({ defaultApprovers: ['alice'] }) });
  const source = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `fork-budget-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging releases', maxTokens: 2_500 }],
  });
  await waitForState(source, (state) => state.pending?.kind === 'budget');
  await source.terminate('the fork goes on instead');

  const forked = handleOf((await fork({ workflowId: source.workflowId, at: { step: 2 } })).workflowId);
  const { pending } = await waitForState(forked, (state) => state.pending?.kind === 'budget');
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(forked.workflowId, { requestId: pending!.requestId, by: 'alice' }, alice.sign);
  await waitForState(forked, (state) => state.budget?.window === 2);
  await forked.terminate('test over');
});
