import { Webhook } from 'standardwebhooks';
import type { EventRoutes } from '../../client/event-routes';
import { eventsOfCompletedRun, startHarness, type Harness } from '../support/workflow-harness';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';

const eventRoutes: EventRoutes = {
  error_spike_detected: { agent: 'deploybot', message: 'An error spike was detected: {{summary}} on {{service.name}}' },
};

let harness: Harness;
let gateway: TestGateway;

beforeAll(async () => {
  harness = await startHarness({
    script: [{ toolCall: { name: 'done_for_now', arguments: { message: 'looked into it' } } }],
  });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    eventRoutes,
  });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
});

test('an event mapped to an agent starts a run with the message filled from its body', async () => {
  const posted = await call(gateway, '/events/error_spike_detected', {
    body: { summary: '5xx at 12%', service: { name: 'checkout' } },
  });
  expect(posted).toEqual({
    status: 201,
    body: { workflowId: expect.stringMatching(/^event-error_spike_detected-/), agent: 'deploybot' },
  });
  const events = await eventsOfCompletedRun(harness.client.workflow.getHandle(posted.body.workflowId));
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'user_message',
      text: 'An error spike was detected: 5xx at 12% on checkout',
      by: 'event:error_spike_detected',
    }),
  );
});

test('a missing field is a 400 naming it; an unknown event type is a 404; no token is a 401', async () => {
  const missing = await call(gateway, '/events/error_spike_detected', { body: { summary: 'high' } });
  expect(missing).toEqual({
    status: 400,
    body: { error: { code: 'missing_field', message: expect.stringContaining('"service.name"') } },
  });
  const unknown = await call(gateway, '/events/disk_full', { body: {} });
  expect(unknown).toEqual({
    status: 404,
    body: { error: { code: 'unknown_event', message: expect.stringContaining('known: error_spike_detected') } },
  });
  expect((await call(gateway, '/events/error_spike_detected', { body: {}, token: null })).status).toBe(401);
});

describe('with TFA_EVENTS_SECRET (Standard Webhooks)', () => {
  const secret = `whsec_${Buffer.from('events-secret-of-twenty-four-bytes').toString('base64')}`;
  const body = JSON.stringify({ summary: 'latency', service: { name: 'search' } });
  /** The gateway's clock, in ms; each test sets it. */
  let clock = Date.parse('2026-06-01T12:00:00Z');
  let signed: TestGateway;
  let eventCount = 0;

  beforeAll(async () => {
    signed = await startTestGateway({
      client: harness.client,
      taskQueue: `no-worker-${Date.now()}`,
      token: TEST_TOKEN,
      eventsSecret: secret,
      eventRoutes,
      now: () => clock,
    });
  });
  afterAll(async () => {
    await signed?.close();
  });

  /** An event as a Standard Webhooks sender signs it, with a message id no earlier test used. */
  function signedEvent(options: { id?: string; sentAt?: number; body?: string } = {}) {
    eventCount += 1;
    const id = options.id ?? `msg_${Date.now().toString(36)}_${eventCount}`;
    const sentAt = new Date(options.sentAt ?? clock);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, sentAt, options.body ?? body),
    };
    return {
      id,
      headers,
      post: (extra: Record<string, string> = {}) =>
        call(signed, '/events/error_spike_detected', {
          body: options.body ?? body,
          token: null,
          headers: { ...headers, ...extra },
        }),
    };
  }

  async function terminate(workflowId: string): Promise<void> {
    await harness.client.workflow.getHandle(workflowId).terminate('test over');
  }

  test('a signed event starts a run whose workflow id is its webhook-id, instead of asking for the token', async () => {
    const event = signedEvent();
    const accepted = await event.post();
    expect(accepted).toEqual({
      status: 201,
      body: { workflowId: `event-error_spike_detected-${event.id}`, agent: 'deploybot' },
    });
    await terminate(accepted.body.workflowId);
    const unsigned = await call(signed, '/events/error_spike_detected', { body, token: TEST_TOKEN });
    expect(unsigned).toEqual({
      status: 401,
      body: {
        error: {
          code: 'missing_signature',
          message: expect.stringContaining('webhook-id, webhook-timestamp and webhook-signature'),
        },
      },
    });
    const forged = await event.post({ 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` });
    expect(forged).toEqual({
      status: 401,
      body: { error: { code: 'invalid_signature', message: expect.stringContaining('TFA_EVENTS_SECRET') } },
    });
  });

  test('a signed event replayed inside the window starts nothing more', async () => {
    const event = signedEvent();
    const first = await event.post();
    expect(first.status).toBe(201);
    clock += 60_000;
    const replayed = await event.post();
    expect(replayed).toEqual({
      status: 200,
      body: { workflowId: first.body.workflowId, agent: 'deploybot', duplicate: true },
    });
    await terminate(first.body.workflowId);
    expect((await event.post()).body.duplicate).toBe(true);
  });

  test('a signed event replayed after the 5-minute window is refused as stale', async () => {
    const event = signedEvent();
    clock += 5 * 60_000 + 1_000;
    const late = await event.post();
    expect(late).toEqual({
      status: 401,
      body: { error: { code: 'stale_request', message: expect.stringContaining('replays are refused') } },
    });
    await expect(
      harness.client.workflow.getHandle(`event-error_spike_detected-${event.id}`).describe(),
    ).rejects.toThrow(/not found/i);
  });

  test('a signature does not carry over to another webhook-id or webhook-timestamp', async () => {
    const event = signedEvent();
    const otherId = await event.post({ 'webhook-id': `${event.id}-again` });
    expect(otherId.body.error.code).toBe('invalid_signature');
    const otherTime = await event.post({ 'webhook-timestamp': String(Math.floor(clock / 1000) + 1) });
    expect(otherTime.body.error.code).toBe('invalid_signature');
    const noTimestamp = await call(signed, '/events/error_spike_detected', {
      body,
      token: null,
      headers: { 'webhook-id': event.id, 'webhook-signature': event.headers['webhook-signature'] },
    });
    expect(noTimestamp.body.error.code).toBe('missing_signature');
  });

  test('a webhook-id that cannot name a run is a 400', async () => {
    const answer = await signedEvent({ id: 'msg 1; rm -rf /' }).post();
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'invalid_event_id', message: expect.stringContaining('webhook-id') } },
    });
  });
});
