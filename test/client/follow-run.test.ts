// Issue 17, item 5: a follow keeps going across continue-as-new, each event once, and ends with the run.
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import type { WatchItem } from '../../client/follow-run';
import { createRuns } from '../../client/runs';
import { callTool } from '../../scripts/scripted-model/server';
import { approveSignal, replySignal, threadQuery } from '../../workflows/messages';
import { startHarness, type Harness } from '../support/workflow-harness';

jest.setTimeout(180_000);

let harness: Harness;
afterEach(async () => harness?.close());

const listing = callTool('list_releases', { environment: 'production' });

test('a run that continues as new is followed into its continuation: every event once, in order, then its end', async () => {
  harness = await startHarness({
    script: [
      callTool('deploy_to_production', { ref: 'main' }),
      ...Array.from({ length: 5 }, () => listing),
      callTool('request_human_input', { question: 'anything else?', options: null }),
      callTool('done_for_now', { message: 'deployed and checked' }),
    ],
  });
  const workflowId = `follow-continued-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [{ agent: 'deploybot', message: 'deploy main to production', continueAsNewAfterSteps: 5 }],
  });
  const { runId: firstRunId } = await handle.describe();
  const follow = await createRuns(harness.client, harness.taskQueue).follow(workflowId);
  const items: WatchItem[] = [];
  // Reads the follow until `stop` holds for an item; the run waits for the test at each stop.
  const readUntil = async (stop: (item: WatchItem) => boolean) => {
    for (;;) {
      const next = await follow!.next();
      if (next.done) throw new Error('the follow ended early');
      items.push(next.value);
      if (stop(next.value)) return next.value;
    }
  };
  const isEvent = (type: string) => (item: WatchItem) => item.type === 'event' && item.event.type === type;

  await readUntil(isEvent('approval_requested'));
  await handle.signal(approveSignal, { by: 'alice' });
  const asked = await readUntil(isEvent('human_input_requested'));
  const { runId: continuedRunId } = await handle.describe();
  expect(continuedRunId).not.toBe(firstRunId);
  expect(asked).toMatchObject({ id: expect.stringMatching(new RegExp(`^${continuedRunId}:`)) });
  const requestId = asked.type === 'event' && asked.event.type === 'human_input_requested' ? asked.event.requestId : '';
  await handle.signal(replySignal, { by: 'alice', text: 'nothing else', requestId });
  const end = await readUntil((item) => item.type === 'end');
  expect(end).toMatchObject({ outcome: 'completed', succeeded: true, id: `${continuedRunId}:end` });
  expect(await follow!.next()).toEqual({ done: true, value: undefined });

  const first = (await harness.client.workflow.getHandle(workflowId, firstRunId).query(threadQuery)).events;
  const continued = (await handle.query(threadQuery)).events;
  const firstIds = new Set(first.map((event) => event.id));
  const expected = [...first, ...continued.filter((event) => !firstIds.has(event.id))].map((event) => event.id);
  const followed = items.flatMap((item) => (item.type === 'event' ? [item.event.id] : []));
  expect(followed).toEqual(expected);
});
