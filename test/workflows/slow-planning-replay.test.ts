import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { startHarness, type Harness } from '../support/workflow-harness';
import { workflowBundlePath } from '../support/test-server';

let harness: Harness;
afterEach(async () => harness?.close());

// A planning local activity slower than 80% of the workflow task timeout makes the worker heartbeat the
// task: the step's commands then span two workflow tasks, and its history must still replay.
const SLOWER_THAN_A_TASK_HEARTBEAT_MS = 9_000;

test('a step whose planning local activity outlasts a workflow task heartbeat still replays', async () => {
  let slowed = false;
  harness = await startHarness({
    script: [
      { toolCall: { name: 'list_releases', arguments: { environment: 'production' } } },
      { toolCall: { name: 'done_for_now', arguments: { message: 'listed' } } },
    ],
    wrapActivities: (activities) => ({
      ...activities,
      async planModelInput(input) {
        if (!slowed) {
          slowed = true;
          await sleep(SLOWER_THAN_A_TASK_HEARTBEAT_MS);
        }
        return activities.planModelInput(input);
      },
    }),
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `slow-planning-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list the production releases' }],
  });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const history = await handle.fetchHistory();
  // The heartbeat really split the step: a workflow task whose commands are followed by the next task at once,
  // with nothing that could have woken the workflow (an activity's result, a signal) in between.
  const kinds = history.events!.map((event) => Object.keys(event).find((key) => key.endsWith('EventAttributes')));
  const commands = new Set(['markerRecordedEventAttributes', 'upsertWorkflowSearchAttributesEventAttributes']);
  const heartbeats = kinds.filter((kind, index) => {
    if (kind !== 'workflowTaskCompletedEventAttributes') return false;
    let next = index + 1;
    while (commands.has(kinds[next]!)) next++;
    return kinds[next] === 'workflowTaskScheduledEventAttributes';
  });
  expect(heartbeats.length).toBeGreaterThan(0);
  await Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, history, handle.workflowId);
});
