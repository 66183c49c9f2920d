import { AGENT_WORKFLOW_TYPE } from '../../core/constants';
import { pauseSignal, resumeSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { callTool } from '../../scripts/scripted-model/server';

// Issue 12, item 2: a run answers while its model call is in flight. The model call waits on a gate
// the test opens (no clock); the only timing bound is the issue's own, made generous for a shared machine.
const GENEROUS_QUERY_BOUND_MS = 1_000;

let harness: Harness;
afterEach(async () => harness?.close());

function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function runHeldInItsModelCall(held: Promise<void>) {
  harness = await startHarness({
    script: [
      { waitFor: held, then: callTool('list_releases', { environment: 'staging' }) },
      callTool('done_for_now', { message: 'listed' }),
    ],
  });
  const handle = await harness.client.workflow.start(AGENT_WORKFLOW_TYPE, {
    taskQueue: harness.taskQueue,
    workflowId: `answers-${Date.now()}`,
    args: [{ agent: 'deploybot', message: 'list the staging releases' }],
  });
  await eventually(() => harness.model.requests.length === 1); // the model call is in flight, held
  return handle;
}

test('status and thread queries answer while the model call is in flight', async () => {
  const held = gate();
  const handle = await runHeldInItsModelCall(held.opened);
  const durations: number[] = [];
  for (let query = 0; query < 10; query++) {
    const started = performance.now();
    await (query % 2 ? handle.query(threadQuery) : handle.query(statusQuery));
    durations.push(performance.now() - started);
  }
  expect(Math.max(...durations)).toBeLessThan(GENEROUS_QUERY_BOUND_MS);
  expect(harness.model.requests).toHaveLength(1); // still held: the answers came during the call
  held.open();
  expect((await handle.result()).status).toBe('completed');
});

test('a pause sent during the model call is recorded at once and acted on when the call returns', async () => {
  const held = gate();
  const handle = await runHeldInItsModelCall(held.opened);
  await handle.signal(pauseSignal, { by: 'carol', reason: 'hold on' });
  const { events } = await eventually(async () => {
    const view = await handle.query(threadQuery);
    return view.events.some((event) => event.type === 'pause_requested') && view;
  });
  expect(events.some((event) => event.type === 'tool_call')).toBe(false); // recorded before the model answered
  held.open();
  // The choice is recorded and the run pauses between choosing list_releases and running it.
  await waitForState(handle, (state) => state.status === 'paused');
  const paused = await handle.query(threadQuery);
  expect(paused.events.map((event) => event.type).slice(-2)).toEqual(['tool_call', 'paused']);
  await handle.signal(resumeSignal, { by: 'carol' });
  expect((await handle.result()).status).toBe('completed');
});
