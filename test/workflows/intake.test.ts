// Issue 11, "What was found" 1 and 2: nothing a sender puts in a message can jam a run. Each test
// sends the abuse to a run waiting for approval on the real dev server, then checks the run still
// answers queries, keeps a small thread, and completes after a valid approval.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { MAX_REFUSAL_EVENTS, OVERFLOW_REFUSAL } from '../../core/refusals';
import { RUN_INPUT_LIMITS } from '../../core/run';
import { approveSignal, decideUpdate, rejectSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { call as gatewayCall, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';
import { signalApproveInUnknownEncoding } from '../support/temporal-command';
import { testServerAddress } from '../support/test-server';
import { closeAll } from '../support/close-all';
import { eventually, startHarness, type Harness } from '../support/workflow-harness';
import { PRODUCTION_THEN_DONE, startRunAwaitingApproval, updateRefusal } from '../support/awaiting-approval';

/** What the thread query may weigh after any flood: far under Temporal's 2 MB payload limit. */
const SMALL_THREAD_BYTES = 64 * 1024;

let harness: Harness;
let gateway: TestGateway | undefined;
afterEach(() => closeAll(gateway, harness));

/** A run waiting for approval: the approval is the step boundary the test controls. */
async function runAwaitingApproval(): Promise<WorkflowHandle> {
  harness = await startHarness({ script: PRODUCTION_THEN_DONE });
  return startRunAwaitingApproval(harness, 'intake');
}

/** The run still answers, its thread stays small, and a valid approval completes it. */
async function expectUnjammed(handle: WorkflowHandle): Promise<void> {
  expect((await handle.query(statusQuery)).status).toBe('awaiting_approval');
  expect(Buffer.byteLength(JSON.stringify(await handle.query(threadQuery)))).toBeLessThan(SMALL_THREAD_BYTES);
  await handle.signal(approveSignal, { by: 'alice' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
}

/** Sends `count` signals, `batch` at a time, concurrently within a batch. */
async function flood(count: number, batch: number, send: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, offset) => send(start + offset)));
  }
}

async function refusals(handle: WorkflowHandle) {
  return (await handle.query(threadQuery)).events.filter((event) => event.type === 'decision_refused');
}

/** The refusals once the run has recorded `count` of them (folded ones counted by their `count`). */
async function refusalsOnceCounted(handle: WorkflowHandle, count: number) {
  let last: Awaited<ReturnType<typeof refusals>> = [];
  return eventually(
    async () => {
      last = await refusals(handle);
      return last.reduce((sum, event) => sum + (event.count ?? 1), 0) >= count ? last : undefined;
    },
    30_000,
    () => JSON.stringify(last.map(({ message, by, count: folded }) => ({ message, by, folded }))),
  );
}

test('an approve signal whose payload has an unknown encoding is refused as undecodable, and the run still answers and completes', async () => {
  const handle = await runAwaitingApproval();
  await signalApproveInUnknownEncoding(handle.workflowId);
  expect(await refusalsOnceCounted(handle, 1)).toEqual([
    expect.objectContaining({ message: 'approve', reason: 'undecodable payload: json/protobuf' }),
  ]);
  await expectUnjammed(handle);
});

test('an approve signal whose bytes are not JSON is refused as undecodable', async () => {
  const handle = await runAwaitingApproval();
  // The Temporal CLI checks JSON before sending, so this goes straight to the service, as any gRPC client can.
  await harness.client.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: handle.workflowId },
    signalName: 'approve',
    input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"by":') }] },
    identity: 'intake test',
  });
  expect(await refusalsOnceCounted(handle, 1)).toEqual([
    expect.objectContaining({ message: 'approve', reason: 'undecodable payload: json/plain' }),
  ]);
  await expectUnjammed(handle);
});

test('a decide update whose payload has an unknown encoding is refused to its sender, and the run still answers and completes', async () => {
  const handle = await runAwaitingApproval();
  const connection = await Connection.connect({ address: testServerAddress() });
  try {
    const mislabelling = new Client({
      connection,
      dataConverter: { payloadConverterPath: require.resolve('../support/mislabelled-payload-converter') },
    });
    const update = mislabelling.workflow
      .getHandle(handle.workflowId)
      .executeUpdate(decideUpdate, { args: [{ decision: 'approve', by: 'alice' }] });
    expect(await updateRefusal(update)).toContain('undecodable payload: json/protobuf');
  } finally {
    await connection.close();
  }
  await expectUnjammed(handle);
});

test('1,000 refused signals fold into one event with a count, and the thread query stays small', async () => {
  const handle = await runAwaitingApproval();
  const before = (await handle.query(statusQuery)).eventCount;
  await flood(1_000, 100, (index) =>
    index % 2 === 0
      ? handle.signal(approveSignal, { by: 42 } as never)
      : handle.signal(rejectSignal, { by: 'mallory' } as never),
  );
  const folded = await refusalsOnceCounted(handle, 1_000);
  expect(folded).toHaveLength(2);
  expect(folded).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        message: 'approve',
        count: 500,
        reason: expect.stringContaining('malformed approve body: by:'),
      }),
      expect.objectContaining({
        message: 'reject',
        by: 'mallory',
        count: 500,
        reason: expect.stringContaining('malformed reject body: reason'),
      }),
    ]),
  );
  expect((await handle.query(statusQuery)).eventCount).toBe(before + 2);
  await expectUnjammed(handle);
});

test(`refusals from more than ${MAX_REFUSAL_EVENTS} different senders are counted in one overflow event`, async () => {
  const handle = await runAwaitingApproval();
  await flood(MAX_REFUSAL_EVENTS + 50, 50, (index) => handle.signal(rejectSignal, { by: `sender-${index}` } as never));
  const kept = await refusalsOnceCounted(handle, MAX_REFUSAL_EVENTS + 50);
  expect(kept).toHaveLength(MAX_REFUSAL_EVENTS + 1);
  expect(kept.at(-1)).toMatchObject({ message: OVERFLOW_REFUSAL.message, reason: OVERFLOW_REFUSAL.reason, count: 50 });
  await expectUnjammed(handle);
});

test('two approve signals with a 1 MB "by" are refused, and the run still answers and completes', async () => {
  const handle = await runAwaitingApproval();
  const huge = 'x'.repeat(1024 * 1024);
  await handle.signal(approveSignal, { by: huge });
  await handle.signal(approveSignal, { by: huge });
  const [refused] = await refusalsOnceCounted(handle, 2);
  expect(refused).toMatchObject({
    message: 'approve',
    count: 2,
    reason: expect.stringContaining('malformed approve body: by:'),
  });
  expect(refused!.by!.length).toBeLessThanOrEqual(200);
  await expectUnjammed(handle);
});

test('90 gateway replies with a 60 KB "by" are each refused with 400, and the run still answers and completes', async () => {
  const handle = await runAwaitingApproval();
  gateway = await startTestGateway({ client: harness.client, taskQueue: harness.taskQueue, token: TEST_TOKEN });
  const by = 'y'.repeat(60 * 1024);
  const statuses: number[] = [];
  await flood(90, 30, async () => {
    statuses.push(
      (await gatewayCall(gateway!, `/runs/${handle.workflowId}/reply`, { body: { by, text: 'hello' } })).status,
    );
  });
  expect(statuses).toEqual(Array(90).fill(400));
  const run = await gatewayCall(gateway, `/runs/${handle.workflowId}`);
  expect(run).toMatchObject({ status: 200, body: { state: { status: 'awaiting_approval' } } });
  await expectUnjammed(handle);
});

test('a gateway launch with a task over the limit is a 400 naming the field, and starts nothing', async () => {
  harness = await startHarness();
  gateway = await startTestGateway({ client: harness.client, taskQueue: harness.taskQueue, token: TEST_TOKEN });
  const workflowId = `intake-launch-${Date.now()}`;
  const launched = await gatewayCall(gateway, '/agents/deploybot/runs', {
    body: { message: 'm'.repeat(RUN_INPUT_LIMITS.message + 1), workflowId },
  });
  expect(launched.status).toBe(400);
  expect(JSON.stringify(launched.body.error.issues)).toContain('message');
  expect((await gatewayCall(gateway, `/runs/${workflowId}`)).status).toBe(404);
});

test('a run whose start message is over the limit fails at once with a configuration error naming the field', async () => {
  harness = await startHarness();
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `intake-start-${Date.now()}`,
    args: [
      {
        agent: 'deploybot',
        message: 'm'.repeat(RUN_INPUT_LIMITS.message + 1),
        requestedBy: 'r'.repeat(RUN_INPUT_LIMITS.requestedBy + 1),
      },
    ],
  });
  const failure = await handle.result().then(
    () => null,
    (error: Error & { cause?: Error }) => error.cause?.message ?? error.message,
  );
  expect(failure).toContain('message: Too big');
  expect(failure).toContain('requestedBy: Too big');
});
