import type { WorkflowHandle } from '@temporalio/client';
import type { Notice, NotificationChannel } from '../../activities/channels/channel';
import { buttonsFor } from '../../activities/channels/slack-channel';
import { formatStatus } from '../../client/format-status';
import { createRuns } from '../../client/runs';
import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL, DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import type { Approvers, PolicyFile } from '../../core/policy';
import type { AgentState, PendingRequest } from '../../core/reducer';
import type { AgentRunResult, AgentWorkflowInput } from '../../core/run';
import type { EventOf, ThreadEvent } from '../../core/thread';
import { grandTotal, type ModelCallUsage, type PriceTable } from '../../core/usage';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import type { deployWorkflow } from '../../workflows/deploy';
import { approveSignal, deployStatusQuery, statusQuery, threadQuery } from '../../workflows/messages';
import { updateRefusal } from '../support/awaiting-approval';
import { completionReporting } from '../support/hostile-completion';
import { call, startGatewayOnHarness } from '../client/gateway-fixture';
import { testsPassThenDeploy } from '../support/deploy-pipeline';
import { alice, bob, mallory, trustPolicy } from '../support/identities';
import {
  eventually,
  floodUntilContinuedAsNew,
  startHarness,
  waitForState,
  type Harness,
  type HarnessOptions,
} from '../support/workflow-harness';

/** DeployBot lists staging `listings` times, then finishes: one model call a step. */
const listThenDone = (listings: number): ScriptedReply[] => [
  ...Array.from({ length: listings }, () => callTool('list_releases', { environment: 'staging' })),
  callTool('done_for_now', { message: 'listed' }),
];

/** alice (alone, unless `budget` says otherwise) may grant DeployBot another budget window. */
const budgetPolicy = (
  budget: Approvers = ['alice'],
  section: PolicyFile['agents'][string] = {},
): Partial<PolicyFile> => {
  const policy = trustPolicy();
  const deploybot = { ...policy.agents!.deploybot!, ...section };
  return {
    ...policy,
    agents: { ...policy.agents, deploybot: { ...deploybot, approvers: { ...deploybot.approvers, budget } } },
  };
};

/** One price for the scripted model's name: a million tokens cost a dollar either way. */
const PRICES: PriceTable = {
  pricesAsOf: '2026-01-01',
  currency: 'USD',
  unit: 'per 1M tokens',
  models: { [DEFAULT_MODEL]: { input: 1, output: 1 } },
};

let harness: Harness;
afterEach(async () => harness?.close());

async function startBudgetRun(
  script: ScriptedReply[],
  input: Partial<AgentWorkflowInput>,
  options: Partial<HarnessOptions> = {},
): Promise<WorkflowHandle> {
  harness = await startHarness({ script, policy: budgetPolicy(), prices: PRICES, ...options });
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `budget-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'list staging releases', ...input }],
  });
}

const waitingForBudget = (handle: WorkflowHandle, window = 1): Promise<AgentState> =>
  waitForState(handle, (state) => state.pending?.kind === 'budget' && state.pending.window === window);

const modelUsages = (events: readonly ThreadEvent[]): ModelCallUsage[] =>
  events.flatMap((event) => (event.type === 'tool_call' && event.usage ? [event.usage] : []));

const tokensOf = (usage: ModelCallUsage) => usage.inputTokens + usage.outputTokens;

function budgetRequests(events: readonly ThreadEvent[]): EventOf<'budget_exhausted'>[] {
  return events.filter((event): event is EventOf<'budget_exhausted'> => event.type === 'budget_exhausted');
}

/** A DeployBot call with these scripts uses 1,000 to 1,200 tokens (simulated usage): a window of one call, or of two. */
const ONE_CALL_TOKENS = 1_200;
const MAX_TOKENS = 2_500;
/** The pipeline's children use about 700 tokens a call: a window of two calls. */
const PIPELINE_MAX_TOKENS = 1_500;

test('a run with maxTokens stops before the call that would pass it and asks; approving grants window 2 and the run completes', async () => {
  const handle = await startBudgetRun(listThenDone(3), { maxTokens: MAX_TOKENS });
  const asked = await waitingForBudget(handle);
  const { events } = await handle.query(threadQuery);
  const [request] = budgetRequests(events);
  const spent = modelUsages(events).reduce((sum, usage) => sum + tokensOf(usage), 0);
  const last = modelUsages(events).at(-1)!;
  // Asked before the next call: what was spent fits the window, and one more call like the last would not.
  expect(harness.model.requests).toHaveLength(modelUsages(events).length);
  expect(request).toMatchObject({ window: 1, spent: { tokens: spent }, next: { tokens: tokensOf(last) } });
  expect(spent).toBeLessThanOrEqual(MAX_TOKENS);
  expect(spent + tokensOf(last)).toBeGreaterThan(MAX_TOKENS);
  expect(asked).toMatchObject({ status: 'awaiting_approval', pending: { kind: 'budget', tool: 'budget' } });

  // What a person sees: `tfa status` and the notice name the request and how to approve another window.
  const status = formatStatus(handle.workflowId, await handle.query(threadQuery));
  expect(status).toContain(
    `waiting for approval of another budget window (budget window 1 is used up: ${spent} of ${MAX_TOKENS} tokens`,
  );
  expect(status).toContain(`tfa approve ${handle.workflowId} --request-id ${request!.requestId} --by <you>`);
  expect(status).toContain(`budget: window 1, ${spent} of ${MAX_TOKENS} tokens`);
  await eventually(() => harness.notifications.find((text) => text.includes(request!.requestId)));

  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: request!.requestId, by: 'alice' }, alice.sign);
  const result: AgentRunResult = await handle.result();
  expect(result).toMatchObject({ status: 'completed', budgetWindow: 2 });
  const after = (await handle.query(threadQuery)).events;
  expect(after.find((event) => event.type === 'approval_granted')).toMatchObject({
    requestId: request!.requestId,
    by: 'alice',
    verified: 'signature',
    budgetWindow: 2,
  });
  expect(budgetRequests(after)).toHaveLength(1);
  const total = grandTotal(result.usage);
  expect(total.inputTokens + total.outputTokens).toBeLessThanOrEqual(2 * MAX_TOKENS);
});

test('rejecting a budget request ends the run budget_exhausted, naming who declined and why', async () => {
  const handle = await startBudgetRun(listThenDone(4), { maxTokens: MAX_TOKENS });
  const asked = await waitingForBudget(handle);
  const callsBefore = harness.model.requests.length;
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.reject(
    handle.workflowId,
    { requestId: asked.pending!.requestId, by: 'alice', reason: 'enough for today' },
    alice.sign,
  );
  const result: AgentRunResult = await handle.result();
  expect(result.status).toBe('budget_exhausted');
  expect(result.reason).toBe('budget window 1 is used up and alice declined another: enough for today');
  expect(harness.model.requests).toHaveLength(callsBefore);
});

test('an unsigned "alice", mallory with her own key and bob (no budget approver) cannot extend the budget', async () => {
  const handle = await startBudgetRun(listThenDone(4), { maxTokens: MAX_TOKENS });
  const asked = await waitingForBudget(handle);
  const requestId = asked.pending!.requestId;
  const runs = createRuns(harness.client, harness.taskQueue);
  expect(await updateRefusal(runs.approve(handle.workflowId, { requestId, by: 'mallory' }, mallory.sign))).toContain(
    'mallory may not approve budget; allowed: alice',
  );
  expect(await updateRefusal(runs.approve(handle.workflowId, { requestId, by: 'bob' }, bob.sign))).toContain(
    'bob may not approve budget',
  );
  await handle.signal(approveSignal, { requestId, by: 'alice' }); // a claim, not a signature
  const refused = await eventually(async () => {
    const { events } = await handle.query(threadQuery);
    return events.find((event) => event.type === 'decision_refused' && event.by === 'alice');
  });
  expect(refused).toMatchObject({ reason: expect.stringContaining("alice's identity is not verified") });
  const { state, events } = await handle.query(threadQuery);
  expect(state).toMatchObject({ status: 'awaiting_approval', pending: { requestId }, budget: { window: 1 } });
  expect(events.some((event) => event.type === 'approval_granted')).toBe(false);
});

test("a budget request approved twice, and an approval of an earlier window's request, grant nothing more", async () => {
  // Windows of one call: each call after the first asks.
  const handle = await startBudgetRun(listThenDone(3), { maxTokens: ONE_CALL_TOKENS });
  const first = await waitingForBudget(handle, 1);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: first.pending!.requestId, by: 'alice' }, alice.sign);
  expect(
    await updateRefusal(
      runs.approve(handle.workflowId, { requestId: first.pending!.requestId, by: 'alice' }, alice.sign),
    ),
  ).toContain(`request ${first.pending!.requestId} was already decided`);
  const second = await waitingForBudget(handle, 2);
  // The stale window's request, signed by alice for that request, lands on nothing.
  expect(
    await updateRefusal(
      runs.approve(handle.workflowId, { requestId: first.pending!.requestId, by: 'alice' }, alice.sign),
    ),
  ).toContain('was already decided');
  const { state } = await handle.query(threadQuery);
  expect(state).toMatchObject({ pending: { requestId: second.pending!.requestId }, budget: { window: 2 } });
  await runs.reject(
    handle.workflowId,
    { requestId: second.pending!.requestId, by: 'alice', reason: 'stop' },
    alice.sign,
  );
  expect(await handle.result()).toMatchObject({ status: 'budget_exhausted', budgetWindow: 2 });
});

test('a run with maxCostUsd asks the same way, from the cost the worker priced', async () => {
  const maxCostUsd = MAX_TOKENS / 1_000_000; // a dollar per million tokens
  const handle = await startBudgetRun(listThenDone(4), { maxCostUsd });
  const asked = await waitingForBudget(handle);
  const { events } = await handle.query(threadQuery);
  const [request] = budgetRequests(events);
  const cost = modelUsages(events).reduce((sum, usage) => sum + usage.costUsd!, 0);
  expect(request).toMatchObject({ window: 1, limits: { maxCostUsd } });
  expect(request!.spent.costUsd).toBeCloseTo(cost, 12);
  expect(cost).toBeLessThanOrEqual(maxCostUsd);
  expect(cost + request!.next.costUsd).toBeGreaterThan(maxCostUsd);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.reject(
    handle.workflowId,
    { requestId: asked.pending!.requestId, by: 'alice', reason: 'too dear' },
    alice.sign,
  );
  expect(await handle.result()).toMatchObject({ status: 'budget_exhausted' });
});

test('a start with a negative, non-numeric or huge budget is refused with the field named', async () => {
  harness = await startHarness({ script: listThenDone(1) });
  for (const budget of [{ maxTokens: -5 }, { maxTokens: 'lots' }, { maxCostUsd: 1e12 }, { maxTokens: 1.5 }]) {
    const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
      taskQueue: harness.taskQueue,
      workflowId: `budget-bad-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      args: [{ agent: 'deploybot', message: 'list staging releases', ...budget }],
    });
    const failure = await handle.result().then(
      () => null,
      (error: Error & { cause?: Error }) => error.cause?.message,
    );
    expect(failure).toContain('Invalid agentWorkflow input');
    expect(failure).toContain(Object.keys(budget)[0]);
  }
  expect(harness.model.requests).toHaveLength(0);
});

test('a run without a budget never asks and records no budget', async () => {
  harness = await startHarness({ script: listThenDone(3), policy: budgetPolicy() });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `budget-none-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging releases' }],
  });
  const result: AgentRunResult = await handle.result();
  expect(result.status).toBe('completed');
  expect(result).not.toHaveProperty('budgetWindow');
  const { events, state } = await handle.query(threadQuery);
  expect(state).not.toHaveProperty('budget');
  expect(events[0]).not.toHaveProperty('budget');
  expect(events.some((event) => event.type === 'budget_exhausted')).toBe(false);
});

test("a pipeline's budget covers its children: each asks when the pipeline's window is used up, and together they stay within the windows approved", async () => {
  harness = await startHarness();
  harness.model.enqueue(...testsPassThenDeploy(await harness.fixture.sha('main')));
  const handle = await harness.client.workflow.start<typeof deployWorkflow>(DEPLOY_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `budget-deploy-${Date.now()}`,
    args: [{ ref: 'main', requestedBy: 'alice', maxTokens: PIPELINE_MAX_TOKENS }],
  });
  const answered: PendingRequest[] = [];
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  // Approves whatever a child waits for (another window, the production deploy) through the pipeline, until it ends.
  await eventually(async () => {
    if (finished) return true;
    const child = (await handle.query(deployStatusQuery)).children.find((each) => each.status === 'running');
    const pending = child && (await harness.client.workflow.getHandle(child.workflowId).query(statusQuery)).pending;
    if (pending && !answered.some((each) => each.requestId === pending.requestId)) {
      answered.push(pending);
      await handle.signal(approveSignal, { requestId: pending.requestId, by: 'alice' });
    }
    return false;
  }, 60_000);
  const state = await result;
  expect(state.outcome).toBe('deployed');
  const windowsGranted = answered.filter((pending) => pending.kind === 'budget').length;
  expect(state.budget).toEqual({ maxTokens: PIPELINE_MAX_TOKENS, window: 1 + windowsGranted });
  const total = grandTotal(state.usage);
  expect(total.inputTokens + total.outputTokens).toBeLessThanOrEqual(PIPELINE_MAX_TOKENS * (1 + windowsGranted));
  // Each child started with what the earlier ones spent counted as its own.
  const [tester, deployer] = state.children;
  const testerTokens = grandTotal(tester!.result!.usage);
  const threadOf = async (workflowId: string) =>
    (await harness.client.workflow.getHandle(workflowId).query(threadQuery)).events;
  const [testerEvents, deployerEvents] = [await threadOf(tester!.workflowId), await threadOf(deployer!.workflowId)];
  expect(deployerEvents[0]).toMatchObject({
    type: 'run_started',
    budget: {
      maxTokens: PIPELINE_MAX_TOKENS,
      carried: { tokens: testerTokens.inputTokens + testerTokens.outputTokens, windows: 2 },
    },
  });
  // Both children ran out of the pipeline's window in turn: the tester in window 1, the deployer in window 2.
  expect(budgetRequests(testerEvents).map((request) => request.window)).toEqual([1]);
  expect(budgetRequests(deployerEvents).map((request) => request.window)).toEqual([2]);
  expect(windowsGranted).toBe(2);
});

test('the gateway starts a run with a budget, refuses a bad or carried one, and approves another window by request id', async () => {
  const setup = await startGatewayOnHarness(listThenDone(3));
  harness = setup.harness; // closed after the test like the others'
  try {
    const { gateway } = setup;
    const refused = await call(gateway, '/agents/deploybot/runs', { body: { message: 'list', maxTokens: -1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('maxTokens');
    const carried = { tokens: 0, costUsd: 0, windows: 9_999 };
    const forged = await call(gateway, '/agents/deploybot/runs', {
      body: { message: 'list', maxTokens: 10, budgetCarried: carried },
    });
    expect(forged.status).toBe(400);

    const launched = await call(gateway, '/agents/deploybot/runs', {
      body: { message: 'list staging releases', maxTokens: MAX_TOKENS },
    });
    expect(launched.status).toBe(201);
    const handle = harness.client.workflow.getHandle(launched.body.workflowId);
    const asked = await waitingForBudget(handle);
    const inspected = await call(gateway, `/runs/${handle.workflowId}`);
    expect(inspected.body.state).toMatchObject({ status: 'awaiting_approval', pending: { kind: 'budget' } });
    const approved = await call(gateway, `/runs/${handle.workflowId}/approve`, {
      body: { by: 'alice', requestId: asked.pending!.requestId },
    });
    expect(approved.status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'completed', budgetWindow: 2 });
  } finally {
    await setup.gateway.close();
  }
});

test('a run that continues as new while it waits for a budget keeps waiting on the same request, and a rejection then ends it', async () => {
  const handle = await startBudgetRun(listThenDone(3), { maxTokens: MAX_TOKENS, continueAsNewAtHistoryBytes: 150_000 });
  const asked = await waitingForBudget(handle);
  const { runId: firstRunId } = await handle.describe();
  await floodUntilContinuedAsNew(handle, firstRunId);
  const continued = await waitingForBudget(handle);
  expect(continued.pending!.requestId).toBe(asked.pending!.requestId);
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.reject(
    handle.workflowId,
    { requestId: asked.pending!.requestId, by: 'alice', reason: 'no more' },
    alice.sign,
  );
  expect(await handle.result()).toMatchObject({
    status: 'budget_exhausted',
    reason: expect.stringContaining('no more'),
  });
});

test('under a quorum for budgets, one approval is counted and the second grants the next window', async () => {
  const handle = await startBudgetRun(
    listThenDone(3),
    { maxTokens: MAX_TOKENS },
    { policy: budgetPolicy({ allOf: ['alice', 'bob'] }) },
  );
  const asked = await waitingForBudget(handle);
  const requestId = asked.pending!.requestId;
  const runs = createRuns(harness.client, harness.taskQueue);
  expect(await runs.approve(handle.workflowId, { requestId, by: 'alice' }, alice.sign)).toMatchObject({
    approvals: 'approved by alice (1 of 2 needed); still needed: bob',
  });
  expect((await handle.query(threadQuery)).state).toMatchObject({ pending: { requestId }, budget: { window: 1 } });
  await runs.approve(handle.workflowId, { requestId, by: 'bob' }, bob.sign);
  expect(await handle.result()).toMatchObject({ status: 'completed', budgetWindow: 2 });
});

test("a budget request nobody answers is escalated after the policy's budget timeout, then the run ends timed_out", async () => {
  const section = { toolTimeoutsMs: { budget: 500 }, escalationTimeoutMs: 500, escalateTo: 'oncall-lead' };
  const handle = await startBudgetRun(
    listThenDone(3),
    { maxTokens: MAX_TOKENS },
    { policy: budgetPolicy(['alice'], section) },
  );
  await waitForState(handle, (state) => state.status === 'timed_out', 15_000);
  const result: AgentRunResult = await handle.result();
  expect(result.status).toBe('timed_out');
  expect(result.reason).toContain('another budget window');
  const { events } = await handle.query(threadQuery);
  expect(events.find((event) => event.type === 'request_escalated')).toMatchObject({ to: 'oncall-lead' });
});

test("the budget notice's Slack buttons name the request's digest, and an approval stating that digest is accepted", async () => {
  const notices: Notice[] = [];
  const channel: NotificationChannel = { name: 'capture', send: async (notice) => void notices.push(notice) };
  const handle = await startBudgetRun(listThenDone(3), { maxTokens: MAX_TOKENS }, { channel });
  const asked = await waitingForBudget(handle);
  const notice = await eventually(() => notices.find((each) => each.data.requestId === asked.pending!.requestId));
  const buttons = buttonsFor(notice);
  expect(buttons).toEqual({
    workflowId: handle.workflowId,
    requestId: asked.pending!.requestId,
    argsDigest: asked.pending!.argsDigest,
  });
  const runs = createRuns(harness.client, harness.taskQueue);
  const stale = { requestId: buttons!.requestId, by: 'alice', argsDigest: 'sha256:' + '0'.repeat(64) };
  expect(await updateRefusal(runs.approve(handle.workflowId, stale, alice.sign))).toContain(
    'look at the request again',
  );
  await runs.approve(handle.workflowId, { ...stale, argsDigest: buttons!.argsDigest }, alice.sign);
  expect(await handle.result()).toMatchObject({ status: 'completed', budgetWindow: 2 });
});

test('a model endpoint that reports no usage makes a budgeted run ask after that call, not run unmetered', async () => {
  const silent = completionReporting(
    'list_releases',
    { environment: 'staging' },
    { model: DEFAULT_MODEL, usage: undefined },
  );
  const handle = await startBudgetRun([silent, silent, ...listThenDone(0)], { maxTokens: MAX_TOKENS });
  const asked = await waitingForBudget(handle);
  expect(harness.model.requests).toHaveLength(1);
  expect(asked.pending!.question).toBe(
    'budget window 1 cannot be checked: 1 model call(s) reported no usage or had no price, so the spend is unknown',
  );
  // Another window is granted knowingly: the next unmetered call asks again.
  const runs = createRuns(harness.client, harness.taskQueue);
  await runs.approve(handle.workflowId, { requestId: asked.pending!.requestId, by: 'alice' }, alice.sign);
  await waitingForBudget(handle, 2);
  expect(harness.model.requests).toHaveLength(2);
});

test('under maxCostUsd, a call the worker has no price for makes the run ask instead of counting it free', async () => {
  const unpriced = completionReporting(
    'list_releases',
    { environment: 'staging' },
    { model: 'free-lunch', usage: { prompt_tokens: 1_000, completion_tokens: 100 } },
  );
  const handle = await startBudgetRun([unpriced, ...listThenDone(1)], { maxCostUsd: 1 });
  const asked = await waitingForBudget(handle);
  expect(harness.model.requests).toHaveLength(1);
  expect(asked.pending!.question).toContain('cannot be checked');
});

test('a carried spend in a start input that no pipeline sent is ignored: it cannot lift the budget', async () => {
  const budgetCarried = { tokens: 0, costUsd: 0, windows: 10_000 };
  const handle = await startBudgetRun(listThenDone(3), { maxTokens: MAX_TOKENS, budgetCarried });
  const asked = await waitingForBudget(handle, 1);
  expect(asked.budget).toMatchObject({ window: 1, carried: { tokens: 0 } });
});
