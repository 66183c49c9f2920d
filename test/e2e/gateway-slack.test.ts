import { threadQuery } from '../../workflows/messages';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import {
  call,
  callSlack,
  slackRequest,
  startTestGateway,
  TEST_TOKEN,
  type TestGateway,
} from '../client/gateway-fixture';
import { callTool } from '../../scripts/scripted-model/server';

const SECRET = 'slack-signing-secret';

let harness: Harness;
let gateway: TestGateway;
let deploys: TestGateway;

beforeAll(async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'held: frozen' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'main is live' }),
    ],
  });
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    token: TEST_TOKEN,
    slackSigningSecret: SECRET,
  });
  // /deploy starts deployWorkflow; on a queue no worker polls it just waits, which is all we look at.
  deploys = await startTestGateway({
    client: harness.client,
    taskQueue: `no-worker-${Date.now()}`,
    slackSigningSecret: SECRET,
  });
});
afterAll(async () => {
  await deploys?.close();
  await gateway?.close();
  await harness?.close();
});

/** A slash command from alice in team T1, signed with SECRET unless `secret` says otherwise. */
function slash(
  target: TestGateway,
  fields: Record<string, string>,
  options: { ageSeconds?: number; secret?: string } = {},
) {
  const from = { user_name: 'alice', user_id: 'U1', team_id: 'T1', ...fields };
  return callSlack(target, options.secret ?? SECRET, from, options.ageSeconds);
}

async function runAwaitingApproval(name: string): Promise<string> {
  const { body } = await call(gateway, '/agents/deploybot/runs', {
    body: { message: 'deploy main to production', workflowId: `${name}-${Date.now()}` },
  });
  await waitForState(
    harness.client.workflow.getHandle(body.workflowId),
    (state) => state.status === 'awaiting_approval',
  );
  return body.workflowId;
}

test('/deploy main starts deployWorkflow and answers at once, ephemerally', async () => {
  const answer = await slash(deploys, { command: '/deploy', text: 'main' });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    response_type: 'ephemeral',
    text: expect.stringMatching(/^Deploying main for slack:U1: started slack-deploy-\S+\.$/),
  });
  const workflowId = /started (\S+)\.$/.exec(answer.body.text)![1]!;
  const handle = harness.client.workflow.getHandle(workflowId);
  expect((await handle.describe()).type).toBe('deployWorkflow');
  await handle.terminate('test over');
});

async function pendingRequestOf(workflowId: string): Promise<string> {
  return (await harness.client.workflow.getHandle(workflowId).query(threadQuery)).state.pending!.requestId;
}

test('/tfa reject and /tfa approve decide the request they name, as the Slack user id; a refusal is stated', async () => {
  const rejected = await runAwaitingApproval('slack-reject');
  const rejectedRequest = await pendingRequestOf(rejected);
  const rejection = await slash(gateway, {
    command: '/tfa',
    text: `reject ${rejected} ${rejectedRequest} freeze until Monday`,
    user_name: 'bob',
    user_id: 'UBOB',
  });
  expect(rejection.body.text).toBe(`Rejected request ${rejectedRequest} of ${rejected} as slack:UBOB.`);
  const { events } = await harness.client.workflow.getHandle(rejected).query(threadQuery);
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'approval_rejected',
      by: 'slack:UBOB',
      reason: 'freeze until Monday',
      verified: 'claimed',
    }),
  );
  await harness.client.workflow.getHandle(rejected).result();

  const approved = await runAwaitingApproval('slack-approve');
  const requestId = await pendingRequestOf(approved);
  const approval = await slash(gateway, { command: '/tfa', text: `approve ${approved} ${requestId}` });
  expect(approval.body).toEqual({
    response_type: 'ephemeral',
    text: `Approved request ${requestId} of ${approved} as slack:U1.`,
  });
  const again = await slash(gateway, {
    command: '/tfa',
    text: `approve ${approved} ${requestId}`,
    trigger_id: 'a-second-request',
  });
  expect(again.body.text).toMatch(/^Refused: .*already decided/);
  expect(await harness.client.workflow.getHandle(approved).result()).toMatchObject({ status: 'completed' });

  const unknown = await slash(gateway, { command: '/tfa', text: 'approve no-such-run req-1' });
  expect(unknown.body.text).toContain('No run no-such-run');
});

test('/tfa approve without the request id gets the usage, which says where both ids are', async () => {
  const answer = await slash(gateway, { command: '/tfa', text: 'approve some-run' });
  expect(answer.body.text).toContain('`/tfa approve <workflowId> <requestId>`');
});

test('an unknown command gets the usage, ephemerally', async () => {
  const answer = await slash(gateway, { command: '/tfa', text: 'launch the rockets' });
  expect(answer.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('Usage: `/deploy <ref>`') });
});

test('a wrong signature and a stale timestamp are 401', async () => {
  const wrong = await slash(gateway, { command: '/deploy', text: 'main' }, { secret: 'not-the-secret' });
  expect(wrong).toEqual({
    status: 401,
    body: { error: { code: 'invalid_signature', message: expect.stringContaining('TFA_SLACK_SIGNING_SECRET') } },
  });
  const stale = await slash(gateway, { command: '/deploy', text: 'main' }, { ageSeconds: 6 * 60 });
  expect(stale).toEqual({
    status: 401,
    body: { error: { code: 'stale_request', message: expect.stringContaining('5 minutes') } },
  });
  const unsigned = await call(gateway, '/webhooks/slack', {
    body: 'command=%2Fdeploy&text=main',
    token: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(unsigned.body.error.code).toBe('missing_signature');
});

describe('replays', () => {
  /** The replaying gateways' clock, in ms. */
  const clock = Date.parse('2026-06-01T12:00:00Z');
  const queue = `no-worker-replay-${Date.now()}`;
  const replayGateway = () =>
    startTestGateway({ client: harness.client, taskQueue: queue, slackSigningSecret: SECRET, now: () => clock });

  /** One signed request, captured once, so it can be sent again byte for byte. */
  function captured(fields: Record<string, string>) {
    const from = {
      user_name: 'alice',
      user_id: 'U1',
      team_id: 'T1',
      ...fields,
      nonce: `${Date.now()}-${Math.random()}`,
    };
    const request = slackRequest(SECRET, from, Math.floor(clock / 1000) - 30);
    return (target: TestGateway) => call(target, '/webhooks/slack', request);
  }

  test('an exact replay of a signed /deploy inside the window starts no second deploy, on this gateway or a restarted one', async () => {
    const first = await replayGateway();
    const send = captured({ command: '/deploy', text: 'main' });
    try {
      const answer = await send(first);
      const workflowId = /started (\S+)\.$/.exec(answer.body.text)![1]!;
      expect((await harness.client.workflow.getHandle(workflowId).describe()).type).toBe('deployWorkflow');
      expect(await send(first)).toEqual({
        status: 409,
        body: { error: { code: 'replayed_request', message: expect.stringContaining('acts once') } },
      });
      // A fresh gateway remembers nothing: Temporal refuses the second start of the request's workflow id.
      const restarted = await replayGateway();
      try {
        expect(await send(restarted)).toEqual({
          status: 409,
          body: { error: { code: 'replayed_request', message: expect.any(String) } },
        });
      } finally {
        await restarted.close();
      }
      await harness.client.workflow.getHandle(workflowId).terminate('test over');
    } finally {
      await first.close();
    }
  });

  test('an exact replay of a signed /tfa approve is refused before it reaches a run', async () => {
    const target = await replayGateway();
    try {
      const send = captured({ command: '/tfa', text: 'approve no-such-run req-1' });
      expect((await send(target)).status).toBe(200);
      expect((await send(target)).body.error.code).toBe('replayed_request');
    } finally {
      await target.close();
    }
  });
});
