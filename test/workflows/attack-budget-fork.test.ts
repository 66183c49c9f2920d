// Attacks on budgets and forks (issue 17 items 2 and 4), as a sender or a starter would try them;
// each test names what holds. Open holes are in attack-open-holes.test.ts.skip.
import type { WorkflowHandle } from '@temporalio/client';
import { rewindRun } from '../../client/rewind-run';
import { createRuns } from '../../client/runs';
import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL } from '../../core/constants';
import type { PolicyFile } from '../../core/policy';
import type { EventOf, ThreadEvent } from '../../core/thread';
import type { PriceTable } from '../../core/usage';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { call, startGatewayOnHarness } from '../client/gateway-fixture';
import { startDeployRun } from '../support/awaiting-approval';
import { alice, bob, trustPolicy } from '../support/identities';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

jest.setTimeout(60_000);

let harness: Harness;
afterEach(async () => {
  await harness?.close();
  harness = undefined!;
});

const eventOf = <T extends ThreadEvent['type']>(events: readonly ThreadEvent[], type: T) =>
  events.find((event): event is EventOf<T> => event.type === type)!;

const forkOf = (workflowId: string, at: { step: number } | { eventId: string }, extra: object = {}) =>
  harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `${workflowId}-fork-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', fork: { workflowId, at }, ...extra }],
  });

/** alice and bob must both approve DeployBot's production deploys. */
const quorumPolicy = (): Partial<PolicyFile> =>
  trustPolicy({
    agents: { deploybot: { approvers: { deploy_to_production: { anyOf: ['alice', 'bob'], count: 2 } } } },
  });

test("an approval counted toward a quorum before a fork's cut does not count in the fork: the fork needs both approvers again", async () => {
  harness = await startHarness({
    policy: quorumPolicy(),
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'source finished' }),
      callTool('done_for_now', { message: 'fork finished' }),
    ],
  });
  const runs = createRuns(harness.client, harness.taskQueue);
  const source = await startDeployRun(harness, 'attack-quorum');
  const asked = await waitForState(source, (state) => state.status === 'awaiting_approval');
  await runs.approve(source.workflowId, { requestId: asked.pending!.requestId, by: 'alice' }, alice.sign);
  await runs.approve(source.workflowId, { requestId: asked.pending!.requestId, by: 'bob' }, bob.sign);
  expect(await source.result()).toMatchObject({ status: 'completed' });
  const counted = eventOf((await source.query(threadQuery)).events, 'approval_counted');
  expect(counted).toMatchObject({ by: 'alice' });

  const forked = await forkOf(source.workflowId, { eventId: counted.id });
  const reasked = await waitForState(forked, (state) => state.status === 'awaiting_approval');
  expect(reasked.pending).toMatchObject({ approvedBy: [] });
  expect(reasked.pending!.requestId).not.toBe(asked.pending!.requestId);
  // alice's approval in the fork is the first of two again, not the one that completes the quorum.
  await runs.approve(forked.workflowId, { requestId: reasked.pending!.requestId, by: 'alice' }, alice.sign);
  const { state, events } = await forked.query(threadQuery);
  expect(state).toMatchObject({ status: 'awaiting_approval', pending: { approvedBy: ['alice'] } });
  const own = events.slice(events.findIndex((event) => event.type === 'forked') + 1);
  expect(own.some((event) => event.type === 'approval_granted' || event.type === 'tool_result')).toBe(false);
  await runs.approve(forked.workflowId, { requestId: reasked.pending!.requestId, by: 'bob' }, bob.sign);
  expect(await forked.result()).toMatchObject({ status: 'completed', result: { message: 'fork finished' } });
});

test('a fork start input that also carries a continued thread is refused: only the workflow itself continues a run', async () => {
  harness = await startHarness({ script: [callTool('done_for_now', { message: 'only answer' })] });
  const source = await startDeployRun(harness, 'attack-fork-continued');
  await source.result();
  const { events } = await source.query(threadQuery);
  const approved: ThreadEvent = { ...events.at(-1)!, type: 'approval_granted', requestId: 'forged', by: 'alice' };
  const forged = await forkOf(
    source.workflowId,
    { step: 1 },
    { continued: { events: [...events.slice(0, -1), approved], pauseRequested: null } },
  );
  await expect(forged.result()).rejects.toMatchObject({
    cause: { type: 'ConfigurationError', message: expect.stringContaining('"continued" is set only by agentWorkflow') },
  });
  expect(harness.model.requests).toHaveLength(1);
});

/** A million tokens cost a dollar either way. */
const PRICES: PriceTable = {
  pricesAsOf: '2026-01-01',
  currency: 'USD',
  unit: 'per 1M tokens',
  models: { [DEFAULT_MODEL]: { input: 1, output: 1 } },
};

const listThenDone = (listings: number): ScriptedReply[] => [
  ...Array.from({ length: listings }, () => callTool('list_releases', { environment: 'staging' })),
  callTool('done_for_now', { message: 'listed' }),
];

test('a run that continues as new between steps keeps counting what it spent before: the window is not refilled', async () => {
  // About six calls of 1,000 to 1,200 tokens fit; the run continues as new after five steps.
  const maxTokens = 7_500;
  harness = await startHarness({ script: listThenDone(12), prices: PRICES });
  const handle: WorkflowHandle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `attack-budget-can-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging releases', maxTokens, continueAsNewAfterSteps: 5 }],
  });
  const { runId: firstRunId } = await handle.describe();
  const asked = await waitForState(handle, (state) => state.pending?.kind === 'budget');
  expect((await handle.describe()).runId).not.toBe(firstRunId);
  const request = eventOf((await handle.query(threadQuery)).events, 'budget_exhausted');
  const calls = harness.model.requests.length;
  expect(calls).toBeGreaterThan(5);
  expect(calls).toBeLessThan(8);
  // Every call so far, in both runs, is counted against window 1.
  expect(request).toMatchObject({ window: 1 });
  expect(request.spent.tokens).toBeGreaterThanOrEqual(calls * 1_000);
  expect(request.spent.tokens).toBeLessThanOrEqual(maxTokens);
  expect(asked.pending).toMatchObject({ window: 1 });
});

test("alice's signed approval of a request, captured before a rewind, does not approve the request the rewound run makes anew", async () => {
  harness = await startHarness({
    policy: trustPolicy(),
    script: [
      callTool('list_releases', { environment: 'production' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'deployed' }),
    ],
  });
  const handle = await startDeployRun(harness, 'attack-rewind-replay');
  const asked = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  // Signed for the pending request but never delivered (a body `tfa sign` printed, a Slack payload).
  const runs = createRuns(harness.client, harness.taskQueue);
  const { body } = await runs.signedBody(handle.workflowId, { action: 'approve', by: 'alice' }, alice.sign);
  await handle.terminate('ended so it can be rewound');

  await rewindRun(harness.client, { workflowId: handle.workflowId, to: { step: 2 } });
  const latest = harness.client.workflow.getHandle(handle.workflowId);
  const again = await waitForState(
    latest,
    (state) => state.status === 'awaiting_approval' && state.pending?.requestId !== asked.pending!.requestId,
  );
  // The same tool, the same arguments, the same run: only the request id tells the two requests apart.
  expect(again.pending).toMatchObject({ tool: 'deploy_to_production', argsDigest: asked.pending!.argsDigest });
  await latest.signal(approveSignal, body as never);
  const refused = await eventually(async () =>
    (await latest.query(threadQuery)).events.find(
      (event) => event.type === 'decision_refused' || event.type === 'approval_granted',
    ),
  );
  expect(refused).toMatchObject({ type: 'decision_refused', by: 'alice' });
  expect(await latest.query(threadQuery)).toMatchObject({
    state: { status: 'awaiting_approval', pending: { requestId: again.pending!.requestId } },
  });
  await latest.terminate('test over');
});

test('a fork of a run the namespace does not have, or of itself, fails saying it cannot fork it, without a model call', async () => {
  harness = await startHarness({ script: [callTool('done_for_now', { message: 'never' })] });
  const missing = await forkOf(`no-such-run-${Date.now()}`, { step: 1 });
  await expect(missing.result()).rejects.toMatchObject({
    cause: { type: 'ForkRefusedError', message: expect.stringContaining('cannot fork no-such-run-') },
  });
  const selfId = `attack-self-fork-${Date.now()}`;
  const itself = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: selfId,
    args: [{ agent: 'deploybot', fork: { workflowId: selfId, at: { step: 1 } } }],
  });
  await expect(itself.result()).rejects.toMatchObject({
    cause: { type: 'ForkRefusedError', message: expect.stringContaining(`cannot fork ${selfId}`) },
  });
  expect(harness.model.requests).toHaveLength(0);
});

test("the gateway refuses a budget that is a string, null, zero, Infinity as JSON's 1e400, or beside a fork, and starts nothing", async () => {
  const setup = await startGatewayOnHarness([]);
  try {
    const bodies = [
      '{"message":"list","maxTokens":"2500"}',
      '{"message":"list","maxTokens":null}',
      '{"message":"list","maxCostUsd":0}',
      '{"message":"list","maxCostUsd":1e400}',
      '{"message":"list","maxTokens":1e400}',
      '{"message":"list","maxTokens":2500,"fork":{"workflowId":"x","at":{"step":1}}}',
    ];
    for (const body of bodies) {
      const refused = await call(setup.gateway, '/agents/deploybot/runs', { body });
      expect({ body, status: refused.status }).toEqual({ body, status: 400 });
    }
    expect(setup.harness.model.requests).toHaveLength(0);
  } finally {
    await setup.close();
  }
});
