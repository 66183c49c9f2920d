import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { callTool } from '../../scripts/scripted-model/server';
import { waitForState, type Harness } from './workflow-harness';

/** DeployBot's script for a run that asks to deploy main to production, then finishes once approved. */
export const PRODUCTION_THEN_DONE = [
  callTool('deploy_to_production', { ref: 'main' }),
  callTool('done_for_now', { message: 'finished' }),
];

/** Starts a DeployBot run on `harness` asked to deploy main to production, under a fresh id starting with `idPrefix`. */
export function startDeployRun(harness: Harness, idPrefix: string): Promise<WorkflowHandle> {
  return harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `${idPrefix}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ agent: 'deploybot', message: 'deploy main to production' }],
  });
}

/** Starts a DeployBot run on `harness` (scripted with PRODUCTION_THEN_DONE) and returns once it waits for approval. */
export async function startRunAwaitingApproval(harness: Harness, idPrefix: string): Promise<WorkflowHandle> {
  const handle = await startDeployRun(harness, idPrefix);
  await waitForState(handle, (state) => state.status === 'awaiting_approval');
  return handle;
}

/** The reason a run gave for refusing a `decide` update; fails the test if the update was not refused. */
export async function updateRefusal(update: Promise<unknown>): Promise<string> {
  const error = await update.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((error as WorkflowUpdateFailedError).cause?.message);
}
