// Attacks on budgets and forks (issue 17 items 2 and 4) that got through when they were found: each test
// states what must hold. The rewind race found with them is refused instead (test/workflows/rewind.test.ts).
import type { WorkflowHandle } from '@temporalio/client';
import { rewindRun } from '../../client/rewind-run';
import { createRuns } from '../../client/runs';
import { RewindRefusedError } from '../../core/rewind';
import { AGENT_WORKFLOW_TYPE, DEFAULT_MODEL } from '../../core/constants';
import type { PolicyFile } from '../../core/policy';
import type { AgentWorkflowInput } from '../../core/run';
import type { PriceTable } from '../../core/usage';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { statusQuery, threadQuery } from '../../workflows/messages';
import { completionReporting } from '../support/hostile-completion';
import { alice, trustPolicy } from '../support/identities';
import { startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';

jest.setTimeout(60_000);

let harness: Harness;
afterEach(async () => {
  await harness?.close();
  harness = undefined!;
});

const LIST = callTool('list_releases', { environment: 'staging' });
const listThenDone = (listings: number): ScriptedReply[] => [
  ...Array.from({ length: listings }, () => LIST),
  callTool('done_for_now', { message: 'listed' }),
];

/** A million tokens cost a dollar either way, for the scripted model's name only. */
const PRICES: PriceTable = {
  pricesAsOf: '2026-01-01',
  currency: 'USD',
  unit: 'per 1M tokens',
  models: { [DEFAULT_MODEL]: { input: 1, output: 1 } },
};

/** A window of about two scripted calls (each uses 1,000 to 1,200 tokens). */
const MAX_TOKENS = 2_500;

async function startRun(input: Partial<AgentWorkflowInput>, options: HarnessOptions): Promise<WorkflowHandle> {
  harness = await startHarness(options);
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `attack-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'list staging releases', ...input }],
  });
}

test('a run with maxCostUsd on a worker that prices no model is refused or asks: it must not run unlimited', async () => {
  // A window of about two calls' cost, had the calls been priced.
  const handle = await startRun({ maxCostUsd: MAX_TOKENS / 1_000_000 }, { script: listThenDone(6) });
  const state = await waitForState(
    handle,
    (current) => current.pending?.kind === 'budget' || current.status !== 'running',
  );
  expect({ status: state.status, pending: state.pending?.kind }).toEqual({
    status: 'awaiting_approval',
    pending: 'budget',
  });
  expect(harness.model.requests.length).toBeLessThan(7);
});

test('a model endpoint that names an unpriced model in its answers cannot make a maxCostUsd budget free', async () => {
  const unpriced = (tool: string, args: Record<string, unknown>) =>
    completionReporting(tool, args, { model: 'free-lunch', usage: { prompt_tokens: 1_000, completion_tokens: 100 } });
  const script = [
    ...Array.from({ length: 6 }, () => unpriced('list_releases', { environment: 'staging' })),
    unpriced('done_for_now', { message: 'listed' }),
  ];
  const handle = await startRun({ maxCostUsd: MAX_TOKENS / 1_000_000 }, { script, prices: PRICES });
  await waitForState(handle, (state) => state.pending?.kind === 'budget' || state.status !== 'running');
  const { state } = await handle.query(threadQuery);
  expect({ status: state.status, pending: state.pending?.kind }).toEqual({
    status: 'awaiting_approval',
    pending: 'budget',
  });
  // A window of about two calls' cost: the run asks by the second call, priced or not.
  expect(harness.model.requests.length).toBeLessThanOrEqual(2);
});

test('a model endpoint that reports no usage cannot make a maxTokens budget unlimited', async () => {
  const silent = (tool: string, args: Record<string, unknown>) =>
    completionReporting(tool, args, { model: DEFAULT_MODEL, usage: undefined });
  const script = [
    ...Array.from({ length: 6 }, () => silent('list_releases', { environment: 'staging' })),
    silent('done_for_now', { message: 'listed' }),
  ];
  const handle = await startRun({ maxTokens: MAX_TOKENS }, { script, prices: PRICES });
  await waitForState(handle, (state) => state.pending?.kind === 'budget' || state.status !== 'running');
  const { state } = await handle.query(threadQuery);
  expect({ status: state.status, calls: harness.model.requests.length, pending: state.pending?.kind }).toMatchObject({
    status: 'awaiting_approval',
    pending: 'budget',
  });
});

/** The policy names no budget approvers: defaultApprovers (alice) decide another window, as for any approval tool. */
const defaultApproversPolicy = (): Partial<PolicyFile> => trustPolicy({ defaultApprovers: ['alice'] });

test("a fork of a budgeted run asks its default approvers for another window, and alice's signed approval grants it", async () => {
  const source = await startRun(
    { maxTokens: MAX_TOKENS },
    { script: [...listThenDone(3), ...listThenDone(6)], policy: defaultApproversPolicy() },
  );
  const asked = await waitForState(source, (state) => state.pending?.kind === 'budget');
  const runs = createRuns(harness.client, harness.taskQueue);
  // The source's own budget request: alice, a default approver, may grant it.
  await runs.approve(source.workflowId, { requestId: asked.pending!.requestId, by: 'alice' }, alice.sign);
  await source.result();

  const forked = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `${source.workflowId}-fork`,
    args: [{ agent: 'deploybot', fork: { workflowId: source.workflowId, at: { step: 1 } } }],
  });
  const forkAsked = await waitForState(forked, (state) => state.pending?.kind === 'budget');
  const outcome = await runs
    .approve(forked.workflowId, { requestId: forkAsked.pending!.requestId, by: 'alice' }, alice.sign)
    .then(
      () => 'granted',
      (error: Error & { cause?: Error }) => error.cause?.message ?? String(error),
    );
  expect(outcome).toBe('granted');
});

test('a fork start input that names its own budget runs under it (or is refused), never silently without it', async () => {
  const source = await startRun({}, { script: [...listThenDone(1), ...listThenDone(6)] });
  await source.result();
  const forked = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `${source.workflowId}-fork`,
    args: [{ agent: 'deploybot', fork: { workflowId: source.workflowId, at: { step: 1 } }, maxTokens: MAX_TOKENS }],
  });
  const status = await forked.result().then(
    () => 'ran',
    () => 'refused',
  );
  const { state } = await forked.query(threadQuery).catch(() => ({ state: undefined }));
  expect(status === 'refused' || state?.budget?.maxTokens === MAX_TOKENS).toBe(true);
});

test('a rewind does not forgive the spend of the model calls it steps back over: no more than the approved window is spent without asking', async () => {
  harness = await startHarness({
    script: Array.from({ length: 8 }, () => LIST),
    policy: trustPolicy({ defaultApprovers: ['alice'] }),
    prices: PRICES,
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `attack-rewind-budget-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging releases', maxTokens: MAX_TOKENS }],
  });
  await waitForState(handle, (state) => state.pending?.kind === 'budget');
  const callsInWindowOne = harness.model.requests.length;
  // Not a budget approver, no signature: a rewind to the first step (only read-only tools ran).
  const outcome = await rewindRun(harness.client, { workflowId: handle.workflowId, to: { step: 1 } }).then(
    () => 'rewound',
    (error: unknown) => (error instanceof RewindRefusedError ? 'refused' : String(error)),
  );
  if (outcome === 'rewound') {
    const latest = harness.client.workflow.getHandle(handle.workflowId);
    await waitForState(latest, (state) => state.pending?.kind === 'budget');
    const state = await latest.query(statusQuery);
    // Every model call was paid for: the run must not have gone on past window 1 without a grant.
    expect({ calls: harness.model.requests.length, window: state.budget?.window }).toEqual({
      calls: callsInWindowOne,
      window: 1,
    });
  }
  await handle.terminate('test over').catch(() => undefined);
});
