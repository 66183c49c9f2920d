import type { DeployState } from '../../agents/pipeline';
import { testsPassThenDeploy, waitForChildApproval } from '../support/deploy-pipeline';
import { startHarness, type Harness } from '../support/workflow-harness';
import { threadQuery } from '../../workflows/messages';
import { callSlack, startTestGateway, type TestGateway } from '../client/gateway-fixture';

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
  const trigger_id = `${Date.now()}.${Math.random()}`;
  return callSlack(gateway, SECRET, { command, text, user_name: user, trigger_id });
}

test('/deploy main runs the pipeline; /tfa approve with the pipeline id decides in its waiting child', async () => {
  const sha = await harness.fixture.sha('main');
  harness.model.enqueue(...testsPassThenDeploy(sha));
  const started = await slash('main', '/deploy');
  const pipelineId = /started (\S+)\.$/.exec(started.body.text)![1]!;
  await waitForChildApproval(harness.client.workflow, pipelineId, 'deploy', 30_000);

  const requestId = (await harness.client.workflow.getHandle(`${pipelineId}-deploy`).query(threadQuery)).state.pending!
    .requestId;
  const approval = await slash(`approve ${pipelineId} ${requestId}`, '/tfa', 'carol');
  expect(approval.body.text).toBe(`Approved request ${requestId} of ${pipelineId}-deploy as slack:unknown.`);
  const result: DeployState = await harness.client.workflow.getHandle(pipelineId).result();
  expect(result).toMatchObject({ outcome: 'deployed', productionSha: sha });
  const late = await slash(`approve ${pipelineId} ${requestId}`, '/tfa', 'carol');
  expect(late.body.text).toBe(
    `Refused: deploy pipeline ${pipelineId} has no child waiting for a decision (stage: finished)`,
  );
});
