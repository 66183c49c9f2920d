// Issue 17, item 4: the README's `tfa fork` and `tfa rewind` lines, run as written against a finished deploy-main.
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal, threadQuery } from '../../workflows/messages';
import { runTfa } from '../support/tfa-command';
import { testServerAddress } from '../support/test-server';
import { startHarness, waitForState, type Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness;
afterEach(async () => harness?.close());

const env = () => ({ TEMPORAL_ADDRESS: testServerAddress(), TFA_TASK_QUEUE: harness.taskQueue });

test("the README's fork and rewind lines work on a finished deploy-main: a fork decides step 3 anew and asks again, a rewind past the deploy is refused, and so is one to the step its activity decided", async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('run_tests', { environment: 'staging' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'deployed main' }),
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'deployed main, said again' }),
    ],
  });
  const workflowId = `deploy-main-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
  const asked = await waitForState(handle, (state) => state.status === 'awaiting_approval');
  await handle.signal(approveSignal, { by: 'you' });
  expect(await handle.result()).toMatchObject({ status: 'completed', steps: 4 });

  const forked = await runTfa(['fork', workflowId, '--at', '3'], env());
  expect(forked).toMatchObject({ code: 0 });
  const forkId = forked.stdout.trim();
  expect(forkId).toMatch(new RegExp(`^${workflowId}-fork-`));
  expect(forked.stderr).toContain('temporal workflow start --type agentWorkflow');
  const fork = harness.client.workflow.getHandle(forkId);
  const { pending } = await waitForState(fork, (state) => state.status === 'awaiting_approval');
  expect(pending!.requestId).not.toBe(asked.pending!.requestId);
  const forkEvents = (await fork.query(threadQuery)).events;
  expect(forkEvents.find((event) => event.type === 'forked')).toMatchObject({ workflowId, steps: 2 });

  const refused = await runTfa(['rewind', workflowId, '--to', '3'], env());
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/step 3 ran deploy_to_production \(event \S+\), at or after step 3/);

  // Step 4 was decided in the deploy's own activity, after the deploy: no model call of its own to go back to.
  const afterTheDeploy = await runTfa(['rewind', workflowId, '--to', '4'], env());
  expect(afterTheDeploy.code).toBe(1);
  expect(afterTheDeploy.stderr).toContain(`step 4 was decided in the activity of the tool before it`);
  expect(afterTheDeploy.stderr).toContain(`tfa fork ${workflowId} --at 4`);
});
