import type { WorkflowHandle } from '@temporalio/client';
import { createSlackChannel } from '../../activities/channels/slack-channel';
import { SLACK_INTERACTIVITY_PATH } from '../../client/gateway/slack-interactivity';
import { argsDigest } from '../../core/digest';
import { decodeButtonValue, encodeButtonValue, SLACK_BUTTON_ACTIONS } from '../../core/slack-buttons';
import type { ThreadEvent } from '../../core/thread';
import { callTool } from '../../scripts/scripted-model/server';
import { contentText, elements, toolResults } from '../../scripts/scripted-model/responders/rendered-context';
import { threadQuery } from '../../workflows/messages';
import { call, slackRequest, startTestGateway, type TestGateway } from '../client/gateway-fixture';
import { startRunAwaitingApproval } from '../support/awaiting-approval';
import { alice, mallory, testGatewayIdentity, trustPolicy } from '../support/identities';
import {
  blockActionsPayload,
  startSimulatedSlack,
  viewSubmissionPayload,
  type SimulatedSlack,
  type SimulatedSlackCall,
} from '../support/simulated-slack';
import { startHarness, type Harness } from '../support/workflow-harness';

const SECRET = 'slack-signing-secret-for-buttons';
const UNMAPPED_USER = 'UNOBODY01';

let slack: SimulatedSlack;
let harness: Harness;
let gateway: TestGateway;

beforeAll(async () => {
  slack = await startSimulatedSlack();
  harness = await startHarness({
    // Each run asks to deploy main to production once; after the answer it is done.
    responder: ({ messages }) => {
      const context = contentText([...messages].reverse().find((message) => message.role === 'user')?.content);
      const answered =
        toolResults(context, 'deploy_to_production').length > 0 || elements(context, 'approval_rejected').length > 0;
      return answered
        ? callTool('done_for_now', { message: 'finished' })
        : callTool('deploy_to_production', { ref: 'main' });
    },
    channel: createSlackChannel({ webhookUrl: slack.webhookUrl }),
    policy: trustPolicy(),
  });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    slackSigningSecret: SECRET,
    slackBotToken: slack.botToken,
    slackApiUrl: slack.apiUrl,
    identity: testGatewayIdentity(),
  });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
  await slack?.close();
});

interface PostedNotice {
  message: { text: string; blocks: Array<{ type: string; elements?: Array<Record<string, string>> }> };
  /** The value both buttons carry. */
  value: string;
}

/** The Block Kit message the run's notice posted to the incoming webhook. */
async function postedNotice(workflowId: string): Promise<PostedNotice> {
  const posted = await slack.waitForCall(
    (candidate) => candidate.path === new URL(slack.webhookUrl).pathname && candidate.body.text.includes(workflowId),
    `notice for ${workflowId}`,
  );
  const actions = posted.body.blocks.find((block: { type: string }) => block.type === 'actions');
  return { message: posted.body, value: actions.elements[0].value };
}

/** A click as Slack sends it: signed with `secret` `ageSeconds` ago; the answer and the response_url it gave. */
async function click(
  notice: PostedNotice,
  options: { userId: string; action: 'approve' | 'reject'; value?: string; secret?: string; ageSeconds?: number },
) {
  const responseUrl = slack.newResponseUrl();
  const payload = blockActionsPayload({
    userId: options.userId,
    actionId: SLACK_BUTTON_ACTIONS[options.action],
    value: options.value ?? notice.value,
    responseUrl,
    message: notice.message,
  });
  const sentAt = Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0);
  const signed = slackRequest(options.secret ?? SECRET, { payload: JSON.stringify(payload) }, sentAt);
  return { responseUrl, answer: await call(gateway, SLACK_INTERACTIVITY_PATH, signed) };
}

function submit(payload: object) {
  const signed = slackRequest(SECRET, { payload: JSON.stringify(payload) }, Math.floor(Date.now() / 1000));
  return call(gateway, SLACK_INTERACTIVITY_PATH, signed);
}

/** What tfa posted to one response_url. */
function postedTo(responseUrl: string): Promise<SimulatedSlackCall> {
  return slack.waitForCall((candidate) => candidate.path === new URL(responseUrl).pathname, `post to ${responseUrl}`);
}

const events = async (handle: WorkflowHandle): Promise<ThreadEvent[]> => (await handle.query(threadQuery)).events;
const deploysOf = (thread: readonly ThreadEvent[]) =>
  thread.filter((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production');

test('a run waiting for approval posts Approve and Reject buttons that name the request and the digest of the arguments shown', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-posted');
  const { state } = await handle.query(threadQuery);
  const notice = await postedNotice(handle.workflowId);
  const buttons = notice.message.blocks.find((block) => block.type === 'actions')!.elements!;

  expect(buttons.map((button) => [button.action_id, button.style])).toEqual([
    [SLACK_BUTTON_ACTIONS.approve, 'primary'],
    [SLACK_BUTTON_ACTIONS.reject, 'danger'],
  ]);
  const pending = state.pending!;
  // The request holds the pinned arguments (main resolved to its commit), and the buttons their digest.
  const named = { workflowId: handle.workflowId, requestId: pending.requestId, argsDigest: argsDigest(pending.args!) };
  expect(buttons.map((button) => decodeButtonValue(button.value))).toEqual([named, named]);
  expect(named.argsDigest).toBe(pending.argsDigest);
  expect(notice.message.blocks[0]!).toMatchObject({
    text: { text: expect.stringContaining(JSON.stringify(pending.args)) },
  });
  expect(JSON.stringify(notice.message.blocks)).toContain(named.argsDigest);
  await handle.terminate('test over');
});

test('a signed Approve click by a mapped approver deploys exactly once, vouched for as Slack, and the message shows the outcome', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-approve');
  const notice = await postedNotice(handle.workflowId);

  const { answer, responseUrl } = await click(notice, { userId: alice.slackUserId, action: 'approve' });
  expect(answer).toEqual({ status: 200, body: {} });
  const update = await postedTo(responseUrl);

  expect(update.body).toMatchObject({ replace_original: true, text: expect.stringContaining('*Approved* by alice') });
  expect(update.body.blocks.map((block: { type: string }) => block.type)).toEqual(['section', 'context']);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const thread = await events(handle);
  expect(thread).toContainEqual(
    expect.objectContaining({ type: 'approval_granted', by: 'alice', verified: 'slack', attestedBy: 'gateway' }),
  );
  expect(deploysOf(thread)).toHaveLength(1);
});

test('Reject opens a reason dialog; its submission rejects with that reason and the message shows it', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-reject');
  const notice = await postedNotice(handle.workflowId);

  const { answer, responseUrl } = await click(notice, { userId: alice.slackUserId, action: 'reject' });
  expect(answer).toEqual({ status: 200, body: {} });
  const opened = await slack.waitForCall(
    (candidate) =>
      candidate.path === '/api/views.open' && candidate.body.view.private_metadata.includes(handle.workflowId),
    'views.open',
  );
  expect(opened.authorization).toBe(`Bearer ${slack.botToken}`);
  expect(opened.body.view).toMatchObject({ type: 'modal', submit: { text: 'Reject' } });

  const submitted = await submit(
    viewSubmissionPayload({
      userId: alice.slackUserId,
      view: opened.body.view,
      values: { tfa_reason: { reason: 'change freeze until <Monday>' } },
    }),
  );
  expect(submitted).toEqual({ status: 200, body: {} });
  const update = await postedTo(responseUrl);

  expect(update.body).toMatchObject({
    replace_original: true,
    text: expect.stringContaining('*Rejected* by alice: change freeze until &lt;Monday&gt;'),
  });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const thread = await events(handle);
  expect(thread).toContainEqual(
    expect.objectContaining({
      type: 'approval_rejected',
      by: 'alice',
      reason: 'change freeze until <Monday>',
      verified: 'slack',
    }),
  );
  expect(deploysOf(thread)).toHaveLength(0);
});

test('a bad signature, a stale timestamp and a replay are refused before anything is decided', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-unsigned');
  const notice = await postedNotice(handle.workflowId);
  const before = await events(handle);

  const forged = await click(notice, { userId: alice.slackUserId, action: 'approve', secret: 'not-the-secret' });
  expect(forged.answer).toMatchObject({ status: 401, body: { error: { code: 'invalid_signature' } } });
  const stale = await click(notice, { userId: alice.slackUserId, action: 'approve', ageSeconds: 6 * 60 });
  expect(stale.answer).toMatchObject({ status: 401, body: { error: { code: 'stale_request' } } });
  const payload = JSON.stringify(
    blockActionsPayload({
      userId: UNMAPPED_USER,
      actionId: SLACK_BUTTON_ACTIONS.approve,
      value: notice.value,
      responseUrl: slack.newResponseUrl(),
      message: notice.message,
    }),
  );
  const once = slackRequest(SECRET, { payload }, Math.floor(Date.now() / 1000));
  expect((await call(gateway, SLACK_INTERACTIVITY_PATH, once)).status).toBe(200);
  expect(await call(gateway, SLACK_INTERACTIVITY_PATH, once)).toMatchObject({
    status: 409,
    body: { error: { code: 'replayed_request' } },
  });

  expect(await events(handle)).toEqual(before);
  expect(slack.calls.map((received) => received.path)).not.toContain(new URL(forged.responseUrl).pathname);
  expect(slack.calls.map((received) => received.path)).not.toContain(new URL(stale.responseUrl).pathname);
  await handle.terminate('test over');
});

test('an unmapped Slack user is refused with a reply only they see, and the request stays pending', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-unmapped');
  const notice = await postedNotice(handle.workflowId);
  const before = await events(handle);

  const { answer, responseUrl } = await click(notice, { userId: UNMAPPED_USER, action: 'approve' });
  expect(answer.status).toBe(200);
  expect((await postedTo(responseUrl)).body).toEqual({
    response_type: 'ephemeral',
    replace_original: false,
    text: expect.stringContaining(`Slack user ${UNMAPPED_USER} is not mapped to an approver`),
  });
  const dialog = await submit(
    viewSubmissionPayload({
      userId: UNMAPPED_USER,
      view: {
        callback_id: 'tfa_reject_reason',
        private_metadata: JSON.stringify({
          target: decodeButtonValue(notice.value),
          responseUrl: slack.newResponseUrl(),
          shown: 'deploy',
        }),
      },
      values: { tfa_reason: { reason: 'no' } },
    }),
  );
  expect(dialog.body).toEqual({
    response_action: 'errors',
    errors: { tfa_reason: expect.stringContaining('is not mapped to an approver') },
  });

  expect(await events(handle)).toEqual(before);
  await handle.terminate('test over');
});

test('a mapped person who may not approve is refused by the run, with its reason in the reply', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-mallory');
  const notice = await postedNotice(handle.workflowId);

  const { responseUrl } = await click(notice, { userId: mallory.slackUserId, action: 'approve' });
  expect((await postedTo(responseUrl)).body).toMatchObject({
    response_type: 'ephemeral',
    text: expect.stringContaining('mallory may not approve deploy_to_production'),
  });
  expect((await handle.query(threadQuery)).state.status).toBe('awaiting_approval');
  await handle.terminate('test over');
});

test('a click for other arguments than the request holds, or for a request already decided, is refused and says why', async () => {
  const handle = await startRunAwaitingApproval(harness, 'slack-buttons-stale');
  const notice = await postedNotice(handle.workflowId);
  const shown = decodeButtonValue(notice.value)!;
  const before = await events(handle);

  const otherArgs = encodeButtonValue({ ...shown, argsDigest: argsDigest({ ref: 'broken' }) });
  const changed = await click(notice, { userId: alice.slackUserId, action: 'approve', value: otherArgs });
  expect((await postedTo(changed.responseUrl)).body.text).toBe(
    `Refused: request ${shown.requestId} holds arguments ${shown.argsDigest}, not the ${argsDigest({ ref: 'broken' })} this message showed`,
  );
  expect(await events(handle)).toEqual(before);

  const approved = await click(notice, { userId: alice.slackUserId, action: 'approve' });
  await postedTo(approved.responseUrl);
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const again = await click(notice, { userId: alice.slackUserId, action: 'approve' });
  expect((await postedTo(again.responseUrl)).body).toEqual({
    response_type: 'ephemeral',
    replace_original: false,
    text: `Refused: request ${shown.requestId} was already decided`,
  });
  const rejectLate = await click(notice, { userId: alice.slackUserId, action: 'reject' });
  expect((await postedTo(rejectLate.responseUrl)).body.text).toBe(
    `Refused: request ${shown.requestId} was already decided`,
  );
  expect(slack.calls.filter((received) => JSON.stringify(received.body).includes(shown.requestId))).not.toContainEqual(
    expect.objectContaining({ path: '/api/views.open' }),
  );
  expect(deploysOf(await events(handle))).toHaveLength(1);
});

test('Reject on a gateway without the bot token says the dialog needs TFA_SLACK_BOT_TOKEN, and decides nothing', async () => {
  const tokenless = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    slackSigningSecret: SECRET,
    slackApiUrl: slack.apiUrl,
    identity: testGatewayIdentity(),
  });
  try {
    const handle = await startRunAwaitingApproval(harness, 'slack-buttons-tokenless');
    const notice = await postedNotice(handle.workflowId);
    const responseUrl = slack.newResponseUrl();
    const payload = blockActionsPayload({
      userId: alice.slackUserId,
      actionId: SLACK_BUTTON_ACTIONS.reject,
      value: notice.value,
      responseUrl,
      message: notice.message,
    });
    const signed = slackRequest(SECRET, { payload: JSON.stringify(payload) }, Math.floor(Date.now() / 1000));
    expect((await call(tokenless, SLACK_INTERACTIVITY_PATH, signed)).status).toBe(200);
    expect((await postedTo(responseUrl)).body.text).toContain('set TFA_SLACK_BOT_TOKEN');
    expect((await handle.query(threadQuery)).state.status).toBe('awaiting_approval');
    await handle.terminate('test over');
  } finally {
    await tokenless.close();
  }
});
