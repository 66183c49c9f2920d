import { SLACK_INTERACTIVITY_PATH } from '../../client/gateway/slack-interactivity';
import { argsDigest } from '../../core/digest';
import { encodeButtonValue, SLACK_BUTTON_ACTIONS } from '../../core/slack-buttons';
import { alice, testGatewayIdentity } from '../support/identities';
import { blockActionsPayload, startSimulatedSlack, type SimulatedSlack } from '../support/simulated-slack';
import { call, slackRequest, startTestGateway, type TestGateway } from './gateway-fixture';

const SECRET = 'slack-signing-secret-interactivity';
const queue = `no-worker-slack-interactivity-${Date.now()}`;
const value = encodeButtonValue({
  workflowId: 'some-run',
  requestId: 'req-1',
  argsDigest: argsDigest({ ref: 'main' }),
});

let slack: SimulatedSlack;
let gateway: TestGateway;

beforeAll(async () => {
  slack = await startSimulatedSlack();
  gateway = await startTestGateway({
    taskQueue: queue,
    slackSigningSecret: SECRET,
    slackApiUrl: slack.apiUrl,
    identity: testGatewayIdentity(),
  });
});
afterAll(async () => {
  await gateway?.close();
  await slack?.close();
});

function send(target: TestGateway, payload: unknown) {
  const fields = { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) };
  return call(target, SLACK_INTERACTIVITY_PATH, slackRequest(SECRET, fields, Math.floor(Date.now() / 1000)));
}

function clickBy(userId: string, actionId: string, buttonValue: string) {
  const responseUrl = slack.newResponseUrl();
  const payload = blockActionsPayload({
    userId,
    actionId,
    value: buttonValue,
    responseUrl,
    message: { text: 'deploy', blocks: [] },
  });
  return { responseUrl, payload };
}

async function replyTo(responseUrl: string): Promise<string> {
  const posted = await slack.waitForCall((received) => received.path === new URL(responseUrl).pathname, responseUrl);
  return posted.body.text;
}

test('without a signing secret the interactivity URL is off and says which setting turns it on', async () => {
  const off = await startTestGateway({ taskQueue: queue });
  try {
    expect(await send(off, { type: 'block_actions' })).toMatchObject({
      status: 503,
      body: { error: { code: 'not_configured', message: expect.stringContaining('TFA_SLACK_SIGNING_SECRET') } },
    });
  } finally {
    await off.close();
  }
});

test('a payload that is not JSON, or not the documented shape, is a 400', async () => {
  expect((await send(gateway, 'not json')).body.error.code).toBe('invalid_payload');
  const { payload } = clickBy(alice.slackUserId, SLACK_BUTTON_ACTIONS.approve, value);
  const shapeless = await send(gateway, { ...payload, actions: 'approve' });
  expect(shapeless).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('actions') } } });
});

test('interactions tfa does not own are answered and ignored', async () => {
  expect(await send(gateway, { type: 'view_closed', user: { id: alice.slackUserId } })).toEqual({
    status: 200,
    body: {},
  });
  const other = clickBy(alice.slackUserId, 'someone_elses_button', value);
  expect(await send(gateway, other.payload)).toEqual({ status: 200, body: {} });
});

test('a button whose value names no request is refused in a reply to the clicking user', async () => {
  const click = clickBy(alice.slackUserId, SLACK_BUTTON_ACTIONS.approve, '{"workflowId":"some-run"}');
  expect((await send(gateway, click.payload)).status).toBe(200);
  expect(await replyTo(click.responseUrl)).toBe(
    'Refused: this button does not name a request and its arguments digest.',
  );
});
