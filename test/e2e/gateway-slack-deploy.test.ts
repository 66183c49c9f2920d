import { createHmac } from 'node:crypto';
import type { DeployState } from '../../core/pipeline';
import { callTool } from '../../scripts/scripted-model/server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { threadQuery } from '../../workflows/messages';
import { call, startTestGateway, type TestGateway } from '../client/gateway-fixture';

const SECRET = 'slack-signing-secret';

let harness: Harness;
let gateway: TestGateway;

beforeAll(async () => {
  harness = await startHarness();
  gateway = await startTestGateway({
    client: harness.client,
    taskQueue: harness.taskQueue,
    slackSigningSecret: SECRET,
  });
});
afterAll(async () => {
  await gateway?.close();
  await harness?.close();
});

function slash(text: string, command: string, user = 'alice') {
  const body = new URLSearchParams({
    command,
    text,
    user_name: user,
    trigger_id: `${Date.now()}.${Math.random()}`,
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return call(gateway, '/webhooks/slack', {
    body,
    token: null,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
  });
}

test('/deploy main runs the pipeline; /tfa approve with the pipeline id decides in its waiting step', async () => {
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(
    callTool('list_test_suites', { sha }),
    callTool('run_test_suite', { sha, suite: 'default' }),
    callTool('report_test_results', { passed: true, summary: 'passed' }),
    callTool('deploy_to_production', { ref: sha }),
    callTool('finish_deploy', { deployed: true, message: 'live' }),
  );
  const started = await slash('main', '/deploy');
  const pipelineId = /started (\S+)\.$/.exec(started.body.text)![1]!;
  await waitForState(
    harness.client.workflow.getHandle(`${pipelineId}-deploy`),
    (state) => state.status === 'awaiting_approval',
    30_000,
  );

  const requestId = (await harness.client.workflow.getHandle(`${pipelineId}-deploy`).query(threadQuery)).state.pending!
    .requestId;
  const approval = await slash(`approve ${pipelineId} ${requestId}`, '/tfa', 'carol');
  expect(approval.body.text).toBe(`Approved request ${requestId} of ${pipelineId}-deploy as slack:unknown.`);
  const result: DeployState = await harness.client.workflow.getHandle(pipelineId).result();
  expect(result).toMatchObject({ outcome: 'deployed', productionSha: sha });
  const late = await slash(`approve ${pipelineId} ${requestId}`, '/tfa', 'carol');
  expect(late.body.text).toBe(
    `Refused: deploy pipeline ${pipelineId} has no step waiting for a decision (stage: finished)`,
  );
});
