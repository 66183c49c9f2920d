// A run that continues as new while it waits for a person carries its pending request over. A decision
// signalled in that moment lands in the new run's first workflow task, together with its start: it
// must meet the carried request, not be refused as "no request is pending" and leave the run waiting
// for an answer it already has. The test puts a signal in a continued run's first task on purpose, by
// resetting that run to its first task, so Temporal delivers the signal again with the start.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { RUN_INPUT_LIMITS } from '../../core/run';
import { approveSignal, rejectSignal, threadQuery } from '../../workflows/messages';
import { callTool } from '../../scripts/scripted-model/server';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';

const { EventType } = temporal.api.enums.v1;

jest.setTimeout(180_000);

let harness: Harness;
afterEach(async () => harness?.close());

/** The run this one continued as new into, once its first workflow task completed: the wait it carried is set up. */
async function continuedRun(
  handle: WorkflowHandle,
  firstRunId: string,
): Promise<{ runId: string; firstTaskCompleted: number }> {
  let last = '';
  return eventually(
    async () => {
      const { runId, status } = await handle.describe();
      last = `${runId} ${status.name}`;
      if (runId === firstRunId) return undefined;
      const history = await harness.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const completed = history.events?.find(
        (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      );
      return completed ? { runId, firstTaskCompleted: Number(completed.eventId) } : undefined;
    },
    90_000,
    () => `run ${handle.workflowId} did not continue as new while waiting (now ${last})`,
  );
}

/**
 * Starts a DeployBot run that continues as new while it waits for approval, sends `decide` to the
 * continued run, then resets that run to its first workflow task, where the decision arrives again
 * with the start. Returns the reset run once it stopped waiting for approval, and the request id.
 */
async function decideInContinuedRunsFirstTask(
  decide: (run: WorkflowHandle, requestId: string) => Promise<void>,
): Promise<{ reset: WorkflowHandle; requestId: string }> {
  harness = await startHarness({
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      callTool('done_for_now', { message: 'finished' }),
      callTool('done_for_now', { message: 'finished' }),
    ],
  });
  const workflowId = `continued-wait-${randomUUID()}`;
  // A task longer than the history limit: the run continues as new as soon as it waits for approval.
  const message = `deploy main to production. ${'context '.repeat(RUN_INPUT_LIMITS.message / 8 - 10)}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message, continueAsNewAtHistoryBytes: 10_000 }],
  });
  const continued = await continuedRun(handle, handle.firstExecutionRunId);
  const continuedHandle = harness.client.workflow.getHandle(workflowId, continued.runId);
  const requestId = (await continuedHandle.query(threadQuery)).state.pending!.requestId;
  await decide(continuedHandle, requestId);

  const { runId } = await harness.client.workflowService.resetWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId, runId: continued.runId },
    workflowTaskFinishEventId: Long.fromNumber(continued.firstTaskCompleted),
    reason: 'deliver the decision in the first workflow task',
    requestId: randomUUID(),
  });
  const reset = harness.client.workflow.getHandle(workflowId, runId!);
  // Refused, the decision would leave the run waiting for approval until its timeout.
  await waitForState(reset, (state) => state.status !== 'awaiting_approval', 90_000);
  return { reset, requestId };
}

test('a rejection delivered in the first workflow task of a run continued while waiting rejects the carried request instead of being refused', async () => {
  const { reset, requestId } = await decideInContinuedRunsFirstTask((run, requestId) =>
    run.signal(rejectSignal, { by: 'alice', requestId, reason: 'not today' }),
  );
  expect(await reset.result()).toMatchObject({ status: 'completed' });
  const { events } = await reset.query(threadQuery);
  expect(events.filter((event) => event.type === 'decision_refused')).toEqual([]);
  expect(events).toContainEqual(expect.objectContaining({ type: 'approval_rejected', requestId, by: 'alice' }));
  expect(events.some((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production')).toBe(false);
});

test('an approval delivered in the first workflow task of a run continued while waiting runs the approved call once, with the arguments the request showed', async () => {
  const { reset, requestId } = await decideInContinuedRunsFirstTask((run, requestId) =>
    run.signal(approveSignal, { by: 'alice', requestId }),
  );
  expect(await reset.result()).toMatchObject({ status: 'completed' });
  const { events } = await reset.query(threadQuery);
  expect(events.filter((event) => event.type === 'decision_refused')).toEqual([]);
  const request = events.find((event) => event.type === 'approval_requested' && event.requestId === requestId);
  expect(events).toContainEqual(expect.objectContaining({ type: 'approval_granted', requestId, by: 'alice' }));
  const deploys = events.filter((event) => event.type === 'tool_result' && event.tool === 'deploy_to_production');
  expect(deploys).toHaveLength(1);
  expect(request).toMatchObject({ args: { ref: 'main', sha: expect.stringMatching(/^[0-9a-f]{40}$/) } });
  // The run may continue as new once more after the deploy (its history limit is small): the last run ends it.
  const latest = await harness.client.workflow.getHandle(reset.workflowId).query(threadQuery);
  expect(latest.events.at(-1)).toMatchObject({ type: 'done' });
});
