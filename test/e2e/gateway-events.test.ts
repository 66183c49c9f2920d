import { createHmac } from 'node:crypto';
import type { EventRoutes } from '../../client/event-routes';
import { threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';

const eventRoutes: EventRoutes = {
  error_spike_detected: { agent: 'deploybot', message: 'An error spike was detected: {{summary}} on {{service.name}}' },
};

let harness: Harness;
let gateway: TestGateway;

beforeAll(async () => {
  harness = await startHarness({ script: [{ toolCall: { name: 'done_for_now', arguments: { message: 'looked into it' } } }] });
  gateway = await startTestGateway({ client: harness.client, taskQueue: harness.taskQueue, token: TEST_TOKEN, eventRoutes });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
});

test('an event mapped to an agent starts a run with the message filled from its body', async () => {
  const posted = await call(gateway, '/events/error_spike_detected', { body: { summary: '5xx at 12%', service: { name: 'checkout' } } });
  expect(posted).toEqual({ status: 201, body: { workflowId: expect.stringMatching(/^event-error_spike_detected-/), agent: 'deploybot' } });
  const handle = harness.client.workflow.getHandle(posted.body.workflowId);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const { events } = await handle.query(threadQuery);
  expect(events).toContainEqual(expect.objectContaining({
    type: 'user_message', text: 'An error spike was detected: 5xx at 12% on checkout', by: 'event:error_spike_detected',
  }));
});

test('a missing field is a 400 naming it; an unknown event type is a 404; no token is a 401', async () => {
  const missing = await call(gateway, '/events/error_spike_detected', { body: { summary: 'high' } });
  expect(missing).toEqual({ status: 400, body: { error: { code: 'missing_field', message: expect.stringContaining('"service.name"') } } });
  const unknown = await call(gateway, '/events/disk_full', { body: {} });
  expect(unknown).toEqual({ status: 404, body: { error: { code: 'unknown_event', message: expect.stringContaining('known: error_spike_detected') } } });
  expect((await call(gateway, '/events/error_spike_detected', { body: {}, token: null })).status).toBe(401);
});

test('with TFA_EVENTS_SECRET an event needs X-Tfa-Signature-256 instead of the token', async () => {
  const secret = 'events-secret';
  const signed = await startTestGateway({ client: harness.client, taskQueue: `no-worker-${Date.now()}`, token: TEST_TOKEN, eventsSecret: secret, eventRoutes });
  try {
    const body = JSON.stringify({ summary: 'latency', service: { name: 'search' } });
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const accepted = await call(signed, '/events/error_spike_detected', { body, token: null, headers: { 'x-tfa-signature-256': signature } });
    expect(accepted.status).toBe(201);
    await harness.client.workflow.getHandle(accepted.body.workflowId).terminate('test over');
    const unsigned = await call(signed, '/events/error_spike_detected', { body, token: TEST_TOKEN });
    expect(unsigned.body.error.code).toBe('missing_signature');
    const forged = await call(signed, '/events/error_spike_detected', { body, token: null, headers: { 'x-tfa-signature-256': `sha256=${'0'.repeat(64)}` } });
    expect(forged).toEqual({ status: 401, body: { error: { code: 'invalid_signature', message: expect.stringContaining('TFA_EVENTS_SECRET') } } });
  } finally {
    await signed.close();
  }
});
