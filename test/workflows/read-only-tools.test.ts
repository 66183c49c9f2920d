import { defaultPayloadConverter } from '@temporalio/common';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

let harness: Harness;
afterEach(async () => harness?.close());

test('a read-only tool runs inside the decision that chose it; a tool that acts stays an activity of its own', async () => {
  harness = await startHarness({
    script: [
      callTool('list_releases', { environment: 'staging' }),
      callTool('deploy_to_staging', { ref: 'main' }),
      callTool('done_for_now', { message: 'done' }),
    ],
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `read-only-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list staging, then deploy main to staging' }],
  });
  expect((await handle.result()).status).toBe('completed');
  const history = (await handle.fetchHistory()).events ?? [];
  const scheduled = history
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter(Boolean);
  // The two executeTool before the first decision are DeployBot's context loaders. After list_releases
  // the same activity chose deploy_to_staging, which runs as an activity of its own; that activity then
  // chose done_for_now.
  expect(scheduled).toEqual(['loadRunPolicy', 'executeTool', 'executeTool', 'chooseNextTool', 'executeTool']);
  // The first decision's result carries list_releases' output; no activity of its own ran it.
  const firstDecision = history.find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'chooseNextTool',
  )!;
  const completed = history.find(
    (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === String(firstDecision.eventId),
  )!;
  const decided = defaultPayloadConverter.fromPayload<{ tool: string; readOnlyOutput?: { output: string } }>(
    completed.activityTaskCompletedEventAttributes!.result!.payloads![0]!,
  );
  expect(decided).toMatchObject({ tool: 'list_releases', readOnlyOutput: { output: expect.any(String) } });
  const { events } = await handle.query(threadQuery);
  const results = events.filter((event) => event.type === 'tool_result').map((event) => event.tool);
  expect(results).toEqual(['list_releases', 'deploy_to_staging']);
});

test('a read-only tool run inside the decision gets the operation id <workflow id>/step-<step>', async () => {
  const operationIds: string[] = [];
  harness = await startHarness({
    script: [
      callTool('list_releases', { environment: 'staging' }),
      callTool('list_releases', { environment: 'production' }),
      callTool('done_for_now', { message: 'done' }),
    ],
    executors: {
      deploybot: {
        list_releases: async (_args, { operationId }) => {
          operationIds.push(operationId);
          return [];
        },
      },
    },
  });
  const workflowId = `read-only-operation-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'list staging, then production' }],
  });
  expect((await handle.result()).status).toBe('completed');
  // First DeployBot's two context loaders, side by side in either order; then the model's calls.
  expect(operationIds.slice(0, 2).sort()).toEqual([
    `${workflowId}/context-production_releases`,
    `${workflowId}/context-staging_releases`,
  ]);
  expect(operationIds.slice(2)).toEqual([`${workflowId}/step-1`, `${workflowId}/step-2`]);
});
