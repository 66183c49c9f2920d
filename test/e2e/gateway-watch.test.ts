// Issue 17, item 5: GET /runs/:id/events streams a run's events as server-sent events; Last-Event-ID resumes.
import { approveSignal, threadQuery } from '../../workflows/messages';
import { startPipeline, testsPassThenDeploy } from '../support/deploy-pipeline';
import {
  call,
  MAIN_TO_PRODUCTION,
  startGatewayOnHarness,
  TEST_TOKEN,
  type TestGateway,
} from '../client/gateway-fixture';
import type { Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness;
let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof startGatewayOnHarness>> | undefined;
beforeAll(async () => {
  setup = await startGatewayOnHarness(MAIN_TO_PRODUCTION);
  ({ harness, gateway } = setup);
});
afterAll(async () => setup?.close());

interface SseEvent {
  id: string;
  event: string;
  data: any;
}

/** An event stream as a client reads it: one parsed SSE event at a time, until the server closes it. */
async function openStream(workflowId: string, lastEventId?: string) {
  const abort = new AbortController();
  const response = await fetch(`${gateway.url}/runs/${workflowId}/events`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const received: SseEvent[] = [];
  /** The next event (comments skipped), or undefined once the stream has ended. */
  async function next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const fields: Partial<Record<string, string>> = Object.fromEntries(
          frame
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (!fields.id) continue;
        const event = { id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data ?? 'null') };
        received.push(event);
        return event;
      }
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      buffered += chunk.value;
    }
  }
  async function rest(): Promise<SseEvent[]> {
    while (await next());
    return received;
  }
  return { response, next, rest, received, close: () => abort.abort() };
}

async function startWaitingRun(): Promise<string> {
  const launched = await call(gateway, '/agents/deploybot/runs', { body: { message: 'deploy main to production' } });
  return launched.body.workflowId;
}

test('streams a run as server-sent events; a reconnect with Last-Event-ID gets only what it has not seen, then the stream closes at the end', async () => {
  const workflowId = await startWaitingRun();
  const first = await openStream(workflowId);
  expect(first.response.status).toBe(200);
  expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  let event;
  do event = await first.next();
  while (event && event.data.event?.type !== 'approval_requested');
  first.close();

  await harness.client.workflow.getHandle(workflowId).signal(approveSignal, { by: 'alice' });
  const second = await openStream(workflowId, first.received.at(-1)!.id);
  const resumed = await second.rest();
  expect(resumed.at(-1)).toMatchObject({
    event: 'end',
    data: { workflowId, outcome: 'completed', succeeded: true },
  });

  const whole = await (await openStream(workflowId)).rest();
  expect([...first.received, ...resumed]).toEqual(whole);
  expect(new Set(whole.map((each) => each.id)).size).toBe(whole.length);
  const { events } = await harness.client.workflow.getHandle(workflowId).query(threadQuery);
  expect(whole.map((each) => each.data.event?.id ?? each.event)).toEqual([...events.map((event) => event.id), 'end']);

  const afterEnd = await fetch(`${gateway.url}/runs/${workflowId}/events`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'last-event-id': whole.at(-1)!.id },
  });
  expect(afterEnd.status).toBe(204);
});

test("a pipeline's stream labels each child's events and resumes inside a child by Last-Event-ID", async () => {
  // A commit production does not run yet (the first test deployed main), so the deployer asks.
  await harness.fixture.commitOn('main', { 'notes.txt': 'a commit to deploy\n' });
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(...testsPassThenDeploy(sha));
  const pipeline = await startPipeline(harness, 'main', `sse-pipeline-${Date.now()}`);
  const first = await openStream(pipeline.workflowId);
  let event;
  do event = await first.next();
  while (event && !(event.data.child?.agent === 'deployer' && event.data.event?.type === 'approval_requested'));
  first.close();

  await harness.client.workflow.getHandle(`${pipeline.workflowId}-deploy`).signal(approveSignal, { by: 'alice' });
  const resumed = await (await openStream(pipeline.workflowId, first.received.at(-1)!.id)).rest();
  const whole = await (await openStream(pipeline.workflowId)).rest();
  expect([...first.received, ...resumed]).toEqual(whole);
  expect(whole.filter((each) => each.event === 'child_started').map((each) => each.data.child.agent)).toEqual([
    'tester',
    'deployer',
  ]);
  expect(whole.at(-1)).toMatchObject({ id: 'end', event: 'end', data: { outcome: 'deployed', succeeded: true } });
});

test('refuses an unknown run (404), a stream without the token (401) and a Last-Event-ID it never gave (400)', async () => {
  expect(await call(gateway, '/runs/no-such-run-anywhere/events')).toMatchObject({
    status: 404,
    body: { error: { code: 'unknown_run' } },
  });
  const workflowId = await startWaitingRun();
  expect(await call(gateway, `/runs/${workflowId}/events`, { token: null })).toMatchObject({
    status: 401,
    body: { error: { code: 'missing_token' } },
  });
  expect(
    await call(gateway, `/runs/${workflowId}/events`, { headers: { 'last-event-id': 'not-an-id-we-gave' } }),
  ).toMatchObject({ status: 400, body: { error: { code: 'invalid_last_event_id' } } });
  await harness.client.workflow.getHandle(workflowId).terminate('test over');
});
