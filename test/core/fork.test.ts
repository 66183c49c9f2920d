import fc from 'fast-check';
import { deploybot } from '../../agents/deploybot';
import { ForkRefusedError, MAX_FORK_THREAD_BYTES, openCall } from '../../core/fork';
import { cutThread } from '../../core/fork-cut';
import { replay } from '../../core/reducer';
import { assertRewindSafe, rewindStep } from '../../core/rewind';
import type { NewEvent, ThreadEvent } from '../../core/thread';
import { anyThread, eventFactory, toolCall, toolResult } from './support/events';

/** run_started and the task, then `rest`, stamped evt-1, evt-2, ... */
function thread(...rest: NewEvent[]): ThreadEvent[] {
  const stamp = eventFactory();
  return [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
    stamp({ type: 'user_message', text: 'deploy main to production' }),
    ...rest.map(stamp),
  ];
}

const approvalCall: NewEvent = {
  type: 'tool_call',
  callId: 'call-2',
  tool: 'deploy_to_production',
  kind: 'approval',
  args: { ref: 'main' },
};
const request: NewEvent = {
  type: 'approval_requested',
  requestId: 'req-1',
  callId: 'call-2',
  tool: 'deploy_to_production',
  args: { ref: 'main', sha: 'a'.repeat(40) },
  argsDigest: 'sha256:ab',
};
const counted: NewEvent = { type: 'approval_counted', requestId: 'req-1', by: 'alice', argsDigest: 'sha256:ab' };
const granted: NewEvent = { type: 'approval_granted', requestId: 'req-1', by: 'bob' };
const forked: NewEvent = { type: 'forked', workflowId: 'source', runId: 'run-1', eventId: 'evt-1', steps: 0 };

const refusal = (cut: () => unknown) => {
  try {
    cut();
    return 'cut';
  } catch (error) {
    return error instanceof ForkRefusedError ? error.message : `unexpected: ${String(error)}`;
  }
};

test('a cut at a step keeps the events before that decision; a cut at an event keeps it and all before it', () => {
  const events = thread(toolCall('call-1', 'list_releases'), toolResult('call-1', 'list_releases'), approvalCall);
  expect(cutThread(events, { step: 2 }, 'run-1')).toEqual(events.slice(0, 4));
  expect(cutThread(events, { step: 1 }, 'run-1')).toEqual(events.slice(0, 2));
  expect(cutThread(events, { eventId: 'evt-3' }, 'run-1')).toEqual(events.slice(0, 3));
});

test('cuts the thread does not hold, before the task or at its end, and over the size limit are refused with the reason', () => {
  const events = thread(toolCall('call-1', 'done_for_now'), {
    type: 'done',
    callId: 'call-1',
    tool: 'done_for_now',
    payload: {},
  });
  expect(refusal(() => cutThread(events, { step: 3 }, 'run-1'))).toBe(
    'run run-1 has no step 3: it has made 1 model decision(s)',
  );
  expect(refusal(() => cutThread(events, { eventId: 'nope' }, 'run-1'))).toMatch(/has no event nope/);
  expect(refusal(() => cutThread(events, { eventId: 'evt-1' }, 'run-1'))).toMatch(/leaves out the task/);
  expect(refusal(() => cutThread(events, { eventId: 'evt-4' }, 'run-1'))).toMatch(/evt-4 ends the run/);
  const huge = thread(toolCall('call-1', 'list_releases'), {
    ...toolResult('call-1', 'list_releases', 'x'.repeat(MAX_FORK_THREAD_BYTES)),
  });
  expect(refusal(() => cutThread(huge, { eventId: 'evt-4' }, 'run-1'))).toMatch(/over the fork limit of 1000000/);
});

test('a step left behind by continue-as-new is refused, naming the run that holds it', () => {
  const stamp = eventFactory();
  const events = [
    stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 12 }),
    stamp({ type: 'user_message', text: 'task' }),
    stamp({
      type: 'earlier_events',
      count: 40,
      runId: 'run-0',
      state: { ...replay([]), agent: 'deploybot', step: 20 },
    }),
    stamp(toolCall('call-21', 'list_releases')),
  ];
  expect(refusal(() => cutThread(events, { step: 5 }, 'run-1'))).toMatch(
    /before run run-1 continued as new: fork the run run-0 \(--run run-0\)/,
  );
  expect(refusal(() => cutThread(events, { eventId: 'evt-2' }, 'run-1'))).toMatch(/carried over from run run-0/);
  expect(cutThread(events, { step: 21 }, 'run-1')).toEqual(events.slice(0, 3));
});

test('a call whose approval was asked, counted or granted but which has no result is open; a rejected or finished one is not', () => {
  expect(openCall(thread(approvalCall, request))?.callId).toBe('call-2');
  expect(openCall(thread(approvalCall, request, counted))?.callId).toBe('call-2');
  expect(openCall(thread(approvalCall, request, granted))?.callId).toBe('call-2');
  const rejected: NewEvent = { type: 'approval_rejected', requestId: 'req-1', by: 'bob', reason: 'freeze' };
  expect(openCall(thread(approvalCall, request, rejected))).toBeUndefined();
  expect(
    openCall(thread(approvalCall, request, granted, toolResult('call-2', 'deploy_to_production'))),
  ).toBeUndefined();
});

test('whatever the cut, a fork starts running with nothing pending or paused', () => {
  fc.assert(
    fc.property(anyThread(), (events) => {
      const state = replay([...events, { ...forked, id: 'fork', at: '2025-01-02T00:00:00.000Z' } as ThreadEvent]);
      expect(state).toMatchObject({ status: 'running', pending: null });
      expect(state.pauseRequested).toBeUndefined();
    }),
  );
});

test('a rewind is refused at or before a tool that acted, or an approval granted, and allowed past read-only tools and rejections', () => {
  const listed = [toolCall('call-1', 'list_releases'), toolResult('call-1', 'list_releases')];
  const staged = thread(...listed, toolCall('call-2', 'deploy_to_staging'), toolResult('call-2', 'deploy_to_staging'));
  expect(refusal(() => assertRewindSafe(deploybot, staged, 1))).toMatch(/step 2 ran deploy_to_staging \(event evt-5\)/);
  expect(refusal(() => assertRewindSafe(deploybot, staged, 2))).toMatch(/step 2 ran deploy_to_staging/);
  expect(refusal(() => assertRewindSafe(deploybot, thread(...listed, approvalCall, request), 1))).toBe('cut');
  expect(refusal(() => assertRewindSafe(deploybot, thread(...listed, approvalCall, request, granted), 1))).toMatch(
    /step 2 ran deploy_to_production/,
  );
  const rejected: NewEvent = { type: 'approval_rejected', requestId: 'req-1', by: 'bob', reason: 'freeze' };
  expect(refusal(() => assertRewindSafe(deploybot, thread(...listed, approvalCall, request, rejected), 1))).toBe('cut');
  expect(rewindStep(staged, { eventId: 'evt-5' }, 'wf')).toBe(2);
  const budgeted = eventFactory();
  const withBudget = [
    budgeted({ type: 'run_started', agent: 'deploybot', maxSteps: 12, budget: { maxTokens: 5_000 } }),
    budgeted({ type: 'user_message', text: 'list' }),
    ...listed.map(budgeted),
  ];
  expect(refusal(() => assertRewindSafe(deploybot, withBudget, 1))).toMatch(/the run has a budget/);
  expect(refusal(() => rewindStep(staged, { eventId: 'evt-4' }, 'wf'))).toMatch(
    /no model decision with event id evt-4/,
  );
});
