// Issue 11, "What was found" 7: a pause request is acknowledged at once, not only when it takes effect.
import type { WorkflowHandle } from '@temporalio/client';
import { approveSignal, pauseSignal, resumeSignal, statusQuery, threadQuery } from '../../workflows/messages';
import { eventually, startHarness, waitForState, type Harness } from '../support/workflow-harness';
import { PRODUCTION_THEN_DONE, startRunAwaitingApproval } from '../support/awaiting-approval';

let harness: Harness;
afterEach(async () => harness?.close());

/** A run waiting for approval: the approval is the step boundary the test controls. */
async function runAwaitingApproval(): Promise<WorkflowHandle> {
  harness = await startHarness({ script: PRODUCTION_THEN_DONE });
  return startRunAwaitingApproval(harness, 'pausing');
}

const eventTypes = async (handle: WorkflowHandle) =>
  (await handle.query(threadQuery)).events.map((event) => event.type);

test('a pause sent while a run waits for approval shows at once in status, the thread and current details, and takes effect after the approval', async () => {
  const handle = await runAwaitingApproval();
  await handle.signal(pauseSignal, { by: 'gina', reason: 'look first' });
  const acknowledged = await waitForState(handle, (state) => state.pauseRequested !== undefined);
  expect(acknowledged).toMatchObject({
    status: 'awaiting_approval',
    pauseRequested: { by: 'gina', reason: 'look first' },
  });
  expect((await eventTypes(handle)).at(-1)).toBe('pause_requested');
  const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(currentDetails).toContain('Pause requested by gina (look first): it takes effect at the next step boundary.');

  await handle.signal(approveSignal, { by: 'alice' });
  const paused = await waitForState(handle, (state) => state.status === 'paused');
  expect(paused.pauseRequested).toBeUndefined();
  const types = await eventTypes(handle);
  expect(types.at(-1)).toBe('paused');
  expect(types.indexOf('pause_requested')).toBeLessThan(types.indexOf('approval_granted'));

  await handle.signal(resumeSignal, { by: 'gina' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
});

test('a resume before the pause takes effect withdraws it, and the run goes on without pausing', async () => {
  const handle = await runAwaitingApproval();
  await handle.signal(pauseSignal, { by: 'gina' });
  await waitForState(handle, (state) => state.pauseRequested !== undefined);
  await handle.signal(resumeSignal, { by: 'gina' });
  await waitForState(handle, (state) => state.pauseRequested === undefined);
  await handle.signal(approveSignal, { by: 'alice' });
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const types = await eventTypes(handle);
  expect(types).toContain('pause_withdrawn');
  expect(types).not.toContain('paused');
});

test('a second pause while one is requested is refused, so repeated pauses do not grow the thread', async () => {
  const handle = await runAwaitingApproval();
  await handle.signal(pauseSignal, { by: 'gina' });
  for (let index = 0; index < 5; index++) await handle.signal(pauseSignal, { by: 'gina' });
  const events = await eventually(async () => {
    const thread = await handle.query(threadQuery);
    return thread.events.some((event) => event.type === 'decision_refused' && event.count === 5)
      ? thread.events
      : undefined;
  });
  expect(events.filter((event) => event.type === 'pause_requested')).toHaveLength(1);
  expect(events.filter((event) => event.type === 'decision_refused')).toEqual([
    expect.objectContaining({
      message: 'pause',
      by: 'gina',
      count: 5,
      reason: expect.stringContaining('a pause is already requested'),
    }),
  ]);
  expect((await handle.query(statusQuery)).pauseRequested).toEqual({ by: 'gina' });
});
