import fc from 'fast-check';
import { carryThread } from '../../core/continuation';
import { renderContext } from '../../core/context';
import { replay } from '../../core/reducer';
import type { EventOf, ThreadEvent } from '../../core/thread';
import { anyNewEvent, anyThread, eventFactory } from './support/events';

const note = (runId: string) => ({ id: `note-${runId}`, at: '2025-01-02T00:00:00.000Z', runId });
const notes = (events: readonly ThreadEvent[]) =>
  events.filter((event): event is EventOf<'earlier_events'> => event.type === 'earlier_events');
const withoutCount = ({ eventCount: _eventCount, ...state }: ReturnType<typeof replay>) => state;

/** The original events a carried thread stands for: those it holds, plus those its note counts. */
function accountedFor(carried: readonly ThreadEvent[]): number {
  return carried.reduce((sum, event) => sum + (event.type === 'earlier_events' ? event.count : 1), 0);
}

describe('carryThread', () => {
  it('carries a short thread unchanged', () => {
    const stamp = eventFactory();
    const events = [
      stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 9 }),
      stamp({ type: 'user_message', text: 'deploy main' }),
    ];
    expect(carryThread(events, note('r1'), 10)).toEqual(events);
  });

  it('keeps the state, the task and the count of what it leaves behind, whatever the thread', () => {
    fc.assert(
      fc.property(anyThread(120), (events) => {
        const carried = carryThread(events, note('r1'), 10);
        expect(withoutCount(replay(carried))).toEqual(withoutCount(replay(events)));
        expect(accountedFor(carried)).toBe(events.length);
        expect(carried[0]).toEqual(events[0]);
        expect(carried.find((event) => event.type === 'user_message')).toEqual(events[1]);
        expect(notes(carried).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('stays bounded over any number of continues, and every note names the run that holds its events', () => {
    fc.assert(
      fc.property(
        anyThread(20),
        fc.array(fc.array(anyNewEvent, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        (first, batches) => {
          const stamp = eventFactory();
          let thread: ThreadEvent[] = first;
          let total = first.length;
          batches.forEach((batch, run) => {
            thread = carryThread(
              [...thread, ...batch.map((event) => ({ ...stamp(event), id: `run${run}-${stamp(event).id}` }))],
              note(`run-${run}`),
              10,
            );
            total += batch.length;
            expect(accountedFor(thread)).toBe(total);
            expect(notes(thread).length).toBeLessThanOrEqual(1);
            expect(notes(thread).every((earlier) => earlier.runId === `run-${run}`)).toBe(true);
          });
          // run_started, the task, a rejection, a reply, a pending request and its tool call, the note, then
          // the recent events back to a tool call.
          const recentStart = thread.findIndex((event) => event.type === 'earlier_events') + 1;
          expect(recentStart).toBeLessThanOrEqual(7);
          expect(thread.length - recentStart).toBeLessThanOrEqual(2 * 10);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('always carries the request still waiting for a person and the tool call that made it', () => {
    fc.assert(
      fc.property(anyThread(120), (events) => {
        const { pending } = replay(events);
        fc.pre(pending !== null);
        const carried = carryThread(events, note('r1'), 10);
        const asked = (list: readonly ThreadEvent[]) =>
          list.find(
            (event) =>
              'requestId' in event && event.requestId === pending!.requestId && event.type !== 'decision_refused',
          );
        expect(asked(carried)).toEqual(asked(events));
        const call = (list: readonly ThreadEvent[]) =>
          list.find((event) => event.type === 'tool_call' && event.callId === pending!.callId);
        if (pending!.callId) expect(call(carried)).toEqual(call(events));
      }),
      { numRuns: 300 },
    );
  });

  it('shows the model the task, then how many events were left behind, then the recent ones', () => {
    const stamp = eventFactory();
    const events: ThreadEvent[] = [
      stamp({ type: 'run_started', agent: 'deploybot', maxSteps: 400 }),
      stamp({ type: 'user_message', text: 'list staging releases 30 times', by: 'alice' }),
    ];
    for (let index = 0; index < 30; index++) {
      events.push(
        stamp({
          type: 'tool_call',
          callId: `c${index}`,
          tool: 'list_releases',
          kind: 'immediate',
          args: { environment: 'staging' },
        }),
      );
      events.push(
        stamp({
          type: 'tool_result',
          callId: `c${index}`,
          tool: 'list_releases',
          output: `[${index}]`,
          truncated: false,
        }),
      );
    }
    const carried = carryThread(events, note('r1'), 10);
    expect(carried).toHaveLength(2 + 1 + 10);
    const context = renderContext(replay(carried), carried);
    expect(context).toContain("<system_state step='31' max_steps='400'");
    expect(context).toMatch(
      /<user_message by='alice'>list staging releases 30 times<\/user_message>\n {2}<elided events='50'\/>\n {2}<tool_call tool='list_releases'>/,
    );
    expect(context).toContain("<tool_result tool='list_releases'>[29]</tool_result>");
  });
});
