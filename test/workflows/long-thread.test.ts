import { deploybot } from '../../agents/deploybot';
import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { formatStatus } from '../../client/format-status';
import { CARRIED_RECENT_EVENTS } from '../../core/continuation';
import type { EventOf } from '../../core/thread';
import { threadQuery } from '../../workflows/messages';
import type { ScriptedReply } from '../../scripts/scripted-model/server';
import { startHarness, type Harness } from '../support/workflow-harness';

let harness: Harness;
afterEach(async () => harness?.close());

/** A closed run answers a query by replaying its whole history on a worker: on a loaded machine that outlasts the client's default deadline. */
const REPLAYED_QUERY_DEADLINE_MS = 100_000;

test('a 300-step run continues as new every 100 steps with a bounded thread, and loses nothing for the model or for status', async () => {
  const listing: ScriptedReply = { toolCall: { name: 'list_releases', arguments: { environment: 'staging' } } };
  harness = await startHarness({
    script: [
      ...Array.from({ length: 299 }, () => listing),
      { toolCall: { name: 'done_for_now', arguments: { message: 'listed 299 times' } } },
    ],
  });
  const workflowId = `long-${Date.now()}`;
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId,
    args: [
      { agent: 'deploybot', message: 'list staging releases 299 times', maxSteps: 400, continueAsNewAfterSteps: 100 },
    ],
  });

  expect(await handle.result()).toEqual({
    status: 'completed',
    result: { message: 'listed 299 times' },
    reason: null,
    steps: 300,
    usage: expect.any(Object),
  });
  // Each run's id, from its predecessor's history: visibility (a list) may lag behind the runs.
  const runs = [handle.firstExecutionRunId];
  for (;;) {
    const history = await harness.client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) break;
    runs.push(next);
  }
  expect(runs.length).toBe(3); // steps 1-100, 101-200, 201-300
  const queryThread = (runId?: string) =>
    harness.client.withDeadline(Date.now() + REPLAYED_QUERY_DEADLINE_MS, () =>
      harness.client.workflow.getHandle(workflowId, runId).query(threadQuery),
    );

  // The last run carries a bounded thread: the task, a note for what it left behind, the recent past.
  const { events, state } = await queryThread();
  expect(state).toMatchObject({ status: 'completed', step: 300 });
  expect(events[1]).toMatchObject({ type: 'user_message', text: 'list staging releases 299 times' });
  const note = events[2] as EventOf<'earlier_events'>;
  expect(note).toMatchObject({ type: 'earlier_events', runId: runs[1] });
  expect(events.length - 3).toBeLessThanOrEqual(CARRIED_RECENT_EVENTS + 100 * 2 + 1);
  const loads = deploybot.contextLoaders?.length ?? 0; // context_loaded events after the task
  expect(note.count + events.length - 1).toBe(2 + loads + 299 * 2 + 2);
  expect(formatStatus(workflowId, { events, state })).toContain(
    `left in the run before: tfa status ${workflowId} --run ${runs[1]}`,
  );

  // Nothing is lost: following the notes back, every event of the 300 steps is in one of the runs.
  const ids = new Set<string>();
  for (const runId of runs) {
    const thread = await queryThread(runId);
    thread.events.filter((event) => event.type !== 'earlier_events').forEach((event) => ids.add(event.id));
  }
  expect(ids.size).toBe(2 + loads + 299 * 2 + 2);
  // The last model call still saw the task it was given, across both continues, and how much was left out.
  const lastContext = harness.model.requests.at(-1)!.body.messages[1].content as string;
  expect(lastContext).toContain('list staging releases 299 times');
  expect(lastContext).toMatch(/<elided events='\d+'\/>/);
}, 240_000);
