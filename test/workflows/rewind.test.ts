import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { rewindRun, type RewindRequest } from '../../client/rewind-run';
import { createRuns } from '../../client/runs';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { RewindRefusedError } from '../../core/rewind';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { forkRun } from '../../client/fork-run';
import { startPipeline, testsPassThenDeploy, waitForChildApproval } from '../support/deploy-pipeline';
import { alice, trustPolicy } from '../support/identities';
import { eventually, startHarness, waitForState, type Harness, type HarnessOptions } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

const ASK_WHICH_REF = callTool('request_human_input', { question: 'which ref?', options: null });

async function startRun(script: ScriptedReply[], options: HarnessOptions = {}) {
  harness = await startHarness({ script, ...options });
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `rewind-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
}

const rewind = (request: RewindRequest) => rewindRun(harness.client, request);

test('a rewind to a step before a read-only step goes back in place: the model decides that step anew and the run goes on', async () => {
  const handle = await startRun([
    callTool('list_releases', { environment: 'staging' }),
    ASK_WHICH_REF,
    callTool('done_for_now', { message: 'rewound' }),
  ]);
  await waitForState(handle, (state) => state.status === 'awaiting_reply');
  const before = (await handle.query(threadQuery)).events;
  const { runId: oldRunId } = await handle.describe();
  await handle.terminate('ended so it can be rewound');

  const rewound = await rewind({ workflowId: handle.workflowId, to: { step: 1 } });
  expect(rewound).toMatchObject({ step: 1 });
  expect(rewound.runId).not.toBe(oldRunId);
  expect(rewound.temporalCommand).toMatch(/^temporal workflow reset --workflow-id \S+ --run-id \S+ --event-id \d+ /);
  expect(rewound.temporalCommand).toContain('--reapply-exclude All');

  const latest = harness.client.workflow.getHandle(handle.workflowId);
  expect(await latest.result()).toMatchObject({ status: 'completed', result: { message: 'rewound' }, steps: 1 });
  expect((await latest.describe()).runId).toBe(rewound.runId);
  const { events } = await latest.query(threadQuery);
  const firstDecision = before.findIndex((event) => event.type === 'tool_call');
  // The task that began step 1 runs again: what it appended (the loaded context) is appended anew, with new ids.
  const content = (list: typeof events) => list.map(({ id: _id, at: _at, ...event }) => event);
  expect(content(events.slice(0, firstDecision))).toEqual(content(before.slice(0, firstDecision)));
  expect(events.slice(firstDecision).map((event) => event.type)).toEqual(['tool_call', 'done']);
});

test("a rewind to a step decided inside a chain of read-only steps goes back to the chain's first step, and says so", async () => {
  const handle = await startRun([
    callTool('list_releases', { environment: 'staging' }),
    callTool('list_releases', { environment: 'production' }),
    ASK_WHICH_REF,
    callTool('done_for_now', { message: 'rewound' }),
  ]);
  await waitForState(handle, (state) => state.status === 'awaiting_reply');
  await handle.terminate('ended so it can be rewound');

  // Steps 1-3 were decided in one model call (step 1's): step 3 cannot be asked alone.
  const rewound = await rewind({ workflowId: handle.workflowId, to: { step: 3 } });
  expect(rewound).toMatchObject({ step: 1, asked: 3 });
  expect(rewound.temporalCommand).toContain("--reason 'tfa rewind to step 1'");
  const latest = harness.client.workflow.getHandle(handle.workflowId);
  expect(await latest.result()).toMatchObject({ status: 'completed', result: { message: 'rewound' }, steps: 1 });
});

test('a rewind past a deploy is refused, naming the event, and the run goes on waiting as it was', async () => {
  const handle = await startRun([callTool('deploy_to_staging', { ref: 'main' }), ASK_WHICH_REF]);
  await waitForState(handle, (state) => state.status === 'awaiting_reply');
  const { events } = await handle.query(threadQuery);
  const deploy = events.find((event) => event.type === 'tool_call')!;
  const { runId } = await handle.describe();

  const refusal = await rewind({ workflowId: handle.workflowId, to: { step: 1 } }).then(
    () => 'rewound',
    (error: unknown) => (error instanceof RewindRefusedError ? error.message : `unexpected: ${String(error)}`),
  );
  expect(refusal).toContain(`step 1 ran deploy_to_staging (event ${deploy.id})`);
  expect(refusal).toContain('already happened in the world');
  expect(
    await rewind({ workflowId: handle.workflowId, to: { step: 9 } }).catch((error: Error) => error.message),
  ).toMatch(/has no step 9: it has made 2 model decision/);
  expect(await handle.describe()).toMatchObject({ runId, status: { name: 'RUNNING' } });
});

test('a rewind does not reapply an approval signalled after the step: the request made anew starts with no approvals', async () => {
  const policy = trustPolicy({
    agents: { deploybot: { approvers: { deploy_to_production: { anyOf: ['alice', 'bob'], count: 2 } } } },
  });
  const handle = await startRun(
    [
      callTool('list_releases', { environment: 'production' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('deploy_to_production', { ref: 'main' }),
    ],
    { policy },
  );
  const asked = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  const runs = createRuns(harness.client, harness.taskQueue);
  const { body } = await runs.signedBody(handle.workflowId, { action: 'approve', by: 'alice' }, alice.sign);
  await handle.signal(approveSignal, body as never);
  await waitForState(handle, (state) => state.pending?.approvedBy?.includes('alice') ?? false);
  await handle.terminate('ended so it can be rewound');

  const rewound = await rewind({ workflowId: handle.workflowId, to: { step: 2 } });
  const latest = harness.client.workflow.getHandle(handle.workflowId);
  const { pending } = await waitForState(
    latest,
    (state) => state.status === 'awaiting_approval' && state.pending?.requestId !== asked.pending!.requestId,
  );
  expect(pending!.approvedBy).toEqual([]);
  const { events } = await latest.query(threadQuery);
  expect(events.filter((event) => event.type === 'approval_counted' || event.type === 'decision_refused')).toEqual([]);
  const history = await harness.client.workflow.getHandle(handle.workflowId, rewound.runId).fetchHistory();
  const signalled = (history.events ?? []).filter(
    (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  );
  expect(signalled).toEqual([]);
});

test('a pipeline is neither rewound nor forked, its waiting child is not rewound under it, and a fork of the child is a standalone run', async () => {
  harness = await startHarness();
  harness.model.enqueue(...testsPassThenDeploy(await harness.fixture.sha('main')));
  const pipeline = await startPipeline(harness, 'main', `rewind-pipeline-${Date.now()}`);
  await waitForChildApproval(harness.client.workflow, pipeline.workflowId);
  const child = `${pipeline.workflowId}-deploy`;
  const reason = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'done',
      (error: Error) => error.message,
    );

  expect(await reason(rewind({ workflowId: pipeline.workflowId, to: { step: 1 } }))).toMatch(
    /is a deployWorkflow run: rewind goes back in one agent run/,
  );
  expect(await reason(rewind({ workflowId: child, to: { step: 1 } }))).toMatch(
    new RegExp(`is a child of ${pipeline.workflowId}, which waits on this very run: fork it instead`),
  );
  const fork = (workflowId: string) => forkRun(harness.client, harness.taskQueue, { workflowId, at: { step: 1 } });
  expect(await reason(fork(pipeline.workflowId))).toMatch(/is a deployWorkflow run: fork one of its agent runs/);

  const forked = harness.client.workflow.getHandle((await fork(child)).workflowId);
  expect((await forked.describe()).parentExecution).toBeUndefined();
  await eventually(async () => (await forked.query(threadQuery)).events.some((event) => event.type === 'forked'));
  // The fork may already have ended on its own (its scripted replies run out): only an open one is ended.
  await forked.terminate('test over').catch((error: unknown) => {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  });
});

test('a run still open is not rewound: an approval landing between the check and the reset could start a deploy the rewound run would not know of', async () => {
  const handle = await startRun([callTool('list_releases', { environment: 'staging' }), ASK_WHICH_REF]);
  await waitForState(handle, (state) => state.status === 'awaiting_reply');
  const { runId } = await handle.describe();

  const refusal = await rewind({ workflowId: handle.workflowId, to: { step: 1 } }).then(
    () => 'rewound',
    (error: unknown) => (error instanceof RewindRefusedError ? error.message : `unexpected: ${String(error)}`),
  );
  expect(refusal).toContain('is still running');
  expect(refusal).toContain('tfa fork');
  expect(await handle.describe()).toMatchObject({ runId, status: { name: 'RUNNING' } });
  await handle.terminate('test over');
});
