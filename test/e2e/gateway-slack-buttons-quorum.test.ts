import { createSlackChannel } from '../../activities/channels/slack-channel';
import { SLACK_INTERACTIVITY_PATH } from '../../client/gateway/slack-interactivity';
import { SLACK_BUTTON_ACTIONS } from '../../core/slack-buttons';
import { threadQuery } from '../../workflows/messages';
import { call, callSlack, slackRequest, startTestGateway, type TestGateway } from '../client/gateway-fixture';
import { PRODUCTION_THEN_DONE, startRunAwaitingApproval } from '../support/awaiting-approval';
import { alice, bob, testGatewayIdentity, trustPolicy } from '../support/identities';
import { blockActionsPayload, startSimulatedSlack, type SimulatedSlack } from '../support/simulated-slack';
import { startHarness, type Harness } from '../support/workflow-harness';

const SECRET = 'slack-signing-secret-for-quorum-buttons';

let slack: SimulatedSlack;
let harness: Harness;
let gateway: TestGateway;

beforeAll(async () => {
  slack = await startSimulatedSlack();
  const policy = trustPolicy();
  harness = await startHarness({
    script: PRODUCTION_THEN_DONE,
    channel: createSlackChannel({ webhookUrl: slack.webhookUrl }),
    policy: {
      ...policy,
      agents: { deploybot: { approvers: { deploy_to_production: { allOf: ['alice', 'bob'] }, rollback: ['alice'] } } },
    },
  });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    slackSigningSecret: SECRET,
    identity: testGatewayIdentity(),
  });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
  await slack?.close();
});

test('under a quorum an Approve click counts, is posted under the message with who is still needed, and the last one deploys', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-quorum');
  const posted = await slack.waitForCall(
    (received) =>
      received.path === new URL(slack.webhookUrl).pathname && received.body.text.includes(handle.workflowId),
    'the notice',
  );
  const value = posted.body.blocks.find((block: { type: string }) => block.type === 'actions').elements[0].value;
  const approveAs = async (userId: string) => {
    const responseUrl = slack.newResponseUrl();
    const payload = blockActionsPayload({
      userId,
      actionId: SLACK_BUTTON_ACTIONS.approve,
      value,
      responseUrl,
      message: posted.body,
    });
    const signed = slackRequest(SECRET, { payload: JSON.stringify(payload) }, Math.floor(Date.now() / 1000));
    expect((await call(gateway, SLACK_INTERACTIVITY_PATH, signed)).status).toBe(200);
    return (await slack.waitForCall((received) => received.path === new URL(responseUrl).pathname, responseUrl)).body;
  };

  const counted = await approveAs(alice.slackUserId);
  expect(counted).toMatchObject({ response_type: 'in_channel', replace_original: false });
  expect(counted.text).toMatch(/^alice approved: .*bob/);
  expect((await handle.query(threadQuery)).state.status).toBe('awaiting_approval');

  const granted = await approveAs(bob.slackUserId);
  expect(granted).toMatchObject({ replace_original: true, text: expect.stringContaining('*Approved* by bob') });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const { events } = await handle.query(threadQuery);
  expect(events.filter((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production')).toHaveLength(
    1,
  );
});

test('under a quorum `/tfa approve` answers that the approval counted and who is still needed, not that it approved', async () => {
  harness.model.enqueue(...PRODUCTION_THEN_DONE);
  const handle = await startRunAwaitingApproval(harness, 'slack-command-quorum');
  const { requestId } = (await handle.query(threadQuery)).state.pending!;
  const request = `request ${requestId} of ${handle.workflowId}`;
  const approveAs = async (userId: string) => {
    const fields = {
      command: '/tfa',
      text: `approve ${handle.workflowId} ${requestId}`,
      user_id: userId,
      team_id: 'T1',
    };
    return (await callSlack(gateway, SECRET, fields)).body.text as string;
  };

  const counted = await approveAs(alice.slackUserId);
  expect(counted.startsWith(`Counted your approval of ${request} as alice; `)).toBe(true);
  expect(counted).toContain('bob');
  expect(await approveAs(bob.slackUserId)).toBe(`Approved ${request} as bob.`);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});
