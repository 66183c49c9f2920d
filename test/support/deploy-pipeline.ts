import type { WorkflowClient } from '@temporalio/client';
import { DEPLOY_WORKFLOW_TYPE } from '../../core/constants';
import type { AgentState } from '../../core/reducer';
import { callTool, type ScriptedReply } from '../../scripts/scripted-model/server';
import type { deployWorkflow } from '../../workflows/deploy';
import { deployStatusQuery } from '../../workflows/messages';
import { waitForState, type Harness } from './workflow-harness';

/** The test agent's replies when it lists the suites of `sha`, runs the default one and reports it passed. */
export const testsPass = (sha: string): ScriptedReply[] => [
  callTool('list_test_suites', { sha }),
  callTool('run_test_suite', { sha, suite: 'default' }),
  callTool('report_test_results', { passed: true, summary: 'default suite passed' }),
];

/** The whole pipeline's replies when tests of `sha` pass and the deployer deploys it once approved. */
export const testsPassThenDeploy = (sha: string): ScriptedReply[] => [
  ...testsPass(sha),
  callTool('deploy_to_production', { ref: sha }),
  callTool('finish_deploy', { deployed: true, message: 'live' }),
];

/** Starts `deployWorkflow` for `ref` on the harness's queue, requested by alice. */
export function startPipeline(harness: Harness, ref: string, workflowId = `deploy-${ref}-${Date.now()}`) {
  return harness.client.workflow.start<typeof deployWorkflow>(DEPLOY_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ ref, requestedBy: 'alice' }],
  });
}

/** The state of the pipeline's `<parentId>-<suffix>` child once it waits for approval; if it never does, the DAG's state says why. */
export function waitForChildApproval(
  client: WorkflowClient,
  parentId: string,
  suffix = 'deploy',
  timeoutMs?: number,
): Promise<AgentState> {
  return waitForState(
    client.getHandle(`${parentId}-${suffix}`),
    (state) => state.status === 'awaiting_approval',
    timeoutMs,
  ).catch(async () => {
    throw new Error(`child never waited: ${JSON.stringify(await client.getHandle(parentId).query(deployStatusQuery))}`);
  });
}
