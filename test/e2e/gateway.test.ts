import { waitForState, type Harness } from '../support/workflow-harness';
import { call, MAIN_TO_PRODUCTION, startGatewayOnHarness, type TestGateway } from '../client/gateway-fixture';

let harness: Harness;
let gateway: TestGateway;

let setup: Awaited<ReturnType<typeof startGatewayOnHarness>> | undefined;
beforeAll(async () => {
  setup = await startGatewayOnHarness(MAIN_TO_PRODUCTION);
  ({ harness, gateway } = setup);
});
afterAll(async () => setup?.close());

test('launches, inspects, lists by status and approves a run over HTTP, end to end', async () => {
  const launched = await call(gateway, '/agents/deploybot/runs', {
    body: { message: 'deploy main to production', requestedBy: 'ci' },
  });
  expect(launched.status).toBe(201);
  const { workflowId } = launched.body;
  expect(workflowId).toMatch(/^deploybot-/);
  await waitForState(harness.client.workflow.getHandle(workflowId), (state) => state.status === 'awaiting_approval');

  const inspected = await call(gateway, `/runs/${workflowId}`);
  expect(inspected.status).toBe(200);
  expect(inspected.body).toMatchObject({
    workflowId,
    state: { status: 'awaiting_approval', pending: { tool: 'deploy_to_production' } },
  });
  expect(inspected.body.events[1]).toMatchObject({ type: 'user_message', text: 'deploy main to production', by: 'ci' });

  let waiting: any;
  for (let tries = 0; tries < 50 && !waiting?.body.runs.some((run: any) => run.workflowId === workflowId); tries++) {
    waiting = await call(gateway, '/runs?status=awaiting_approval&limit=100'); // visibility is eventually consistent
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(waiting.body.runs.find((run: any) => run.workflowId === workflowId)).toMatchObject({
    status: 'awaiting_approval',
    type: 'agentWorkflow',
  });

  const approved = await call(gateway, `/runs/${workflowId}/approve`, { body: { by: 'alice', comment: 'ship it' } });
  expect(approved).toEqual({ status: 200, body: { workflowId, requestId: expect.any(String), decision: 'approve' } });
  expect(await harness.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'completed' });

  const all = await call(gateway, '/runs?limit=100');
  expect(all.body.runs.map((run: any) => run.workflowId)).toContain(workflowId);
});

describe('refusals are JSON { error: { code, message } } saying what is wrong', () => {
  test('401 without a token and with a wrong one, before the body is read', async () => {
    const missing = await call(gateway, '/runs', { token: null });
    expect(missing).toEqual({
      status: 401,
      body: { error: { code: 'missing_token', message: expect.stringContaining('Authorization: Bearer') } },
    });
    const wrong = await call(gateway, '/agents/deploybot/runs', {
      token: 'not-the-token-at-all',
      body: { message: 'hi' },
    });
    expect(wrong).toEqual({
      status: 401,
      body: { error: { code: 'invalid_token', message: expect.stringContaining('TFA_GATEWAY_TOKEN') } },
    });
  });

  test('400 for a body that fails its schema, with every zod issue', async () => {
    const bad = await call(gateway, '/agents/deploybot/runs', {
      body: { message: '', maxSteps: 'many', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body');
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '',
      'maxSteps',
      'message',
    ]);
    expect(bad.body.error.message).toContain('maxSteps: ');
    const reject = await call(gateway, '/runs/anything/reject', { body: { by: 'alice' } });
    expect(reject.body.error).toMatchObject({ code: 'invalid_body', issues: [{ path: 'reason' }] });
    const badStatus = await call(gateway, '/runs?status=sleeping');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error).toMatchObject({
      code: 'invalid_query',
      message: expect.stringContaining('awaiting_approval'),
    });
    const notJson = await call(gateway, '/runs/anything/pause', { body: '{"by":' });
    expect(notJson.body.error.code).toBe('invalid_json');
  });

  test('404 for an unknown agent, an unknown run and an unknown route', async () => {
    const agent = await call(gateway, '/agents/nobody/runs', { body: { message: 'hi' } });
    expect(agent).toEqual({
      status: 404,
      body: { error: { code: 'unknown_agent', message: expect.stringContaining('no agent named "nobody"') } },
    });
    const run = await call(gateway, '/runs/no-such-run');
    expect(run.status).toBe(404);
    expect(run.body.error).toMatchObject({ code: 'unknown_run', message: expect.stringContaining('no-such-run') });
    const approve = await call(gateway, '/runs/no-such-run/approve', { body: { by: 'alice' } });
    expect(approve.body.error.code).toBe('unknown_run');
    expect((await call(gateway, '/nowhere')).body.error.code).toBe('no_route');
  });

  test("409 with the workflow's reason for a refused decision", async () => {
    const { body } = await call(gateway, '/agents/deploybot/runs', {
      body: { message: 'nothing to approve yet', maxSteps: 1 },
    });
    const refused = await call(gateway, `/runs/${body.workflowId}/approve`, {
      body: { by: 'alice', requestId: 'not-a-request' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('decision_refused');
    expect(refused.body.error.message).toMatch(/not-a-request|no request is pending/);
  });

  test('413 for a body over 64 KiB', async () => {
    const tooLarge = await call(gateway, '/agents/deploybot/runs', { body: { message: 'x'.repeat(70 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'body_too_large', message: expect.stringContaining('64 KiB') });
  });
});

test('GET /runs/:id of a deploy pipeline answers with the DAG state', async () => {
  const handle = await harness.client.workflow.start('deployWorkflow', {
    taskQueue: harness.taskQueue,
    workflowId: `gateway-pipeline-${Date.now()}`,
    args: [{ ref: 'main', requestedBy: 'ci' }],
  });
  try {
    const inspected = await call(gateway, `/runs/${handle.workflowId}`);
    expect(inspected).toMatchObject({
      status: 200,
      body: { workflowId: handle.workflowId, type: 'deployWorkflow', pipeline: { ref: 'main', outcome: null } },
    });
  } finally {
    await handle.terminate('test over'); // its children are terminated with it
  }
});
