import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool } from '../../scripts/scripted-model/server';
import { WORKER_DEPLOYMENT_NAME, workflowBuildId } from '../../worker/create-worker';
import { startHarness, type Harness } from '../support/workflow-harness';
import { workflowBundlePath } from '../support/test-server';

let harness: Harness;
afterEach(async () => harness?.close());

test("the build id is tfa's version and 12 hex digits of the bundle's sha256, the same for the same code", () => {
  const buildId = workflowBuildId({ code: 'bundle A' });
  expect(buildId).toMatch(/^tfa@\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
  expect(workflowBuildId({ code: 'bundle A' })).toBe(buildId);
  expect(workflowBuildId({ code: 'bundle B' })).not.toBe(buildId);
});

test('every workflow task a worker completes records its deployment and short build id, not the SDK default', async () => {
  harness = await startHarness({ script: [callTool('done_for_now', { message: 'done' })] });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `build-id-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'nothing to do' }],
  });
  await handle.result();
  const completed = ((await handle.fetchHistory()).events ?? []).flatMap(
    (event) => event.workflowTaskCompletedEventAttributes ?? [],
  );
  const buildId = workflowBuildId({ codePath: workflowBundlePath() });
  expect(completed.length).toBeGreaterThan(0);
  for (const task of completed) {
    expect(task).toMatchObject({ workerDeploymentName: WORKER_DEPLOYMENT_NAME, workerVersion: { buildId } });
  }
});
