import { replay, type PendingRequest } from './reducer';
import type { EventOf, ThreadEvent } from './thread';

/** Events a continued run takes along whole: the recent past, far more than the context budget shows. */
export const CARRIED_RECENT_EVENTS = 100;

/**
 * The left-behind events still needed: the task, the latest rejection and reply unless newer ones are
 * carried, and the request still waiting for a person with the tool call that made it (a continuation
 * resumes that wait and, once approved, runs exactly that call).
 */
function stillNeeded(
  left: readonly ThreadEvent[],
  carried: readonly ThreadEvent[],
  pending: PendingRequest | null,
): Set<ThreadEvent> {
  const latest = (type: ThreadEvent['type']) =>
    carried.some((event) => event.type === type) ? undefined : left.findLast((event) => event.type === type);
  const needed = [
    left.find((event) => event.type === 'user_message'),
    latest('approval_rejected'),
    latest('human_reply'),
    left.findLast((event) => event.type === 'forked'), // the policy a fork follows
  ];
  if (pending) {
    needed.push(
      left.find(
        (event) => 'requestId' in event && event.requestId === pending.requestId && event.type !== 'decision_refused',
      ),
    );
    if (pending.callId)
      needed.push(left.find((event) => event.type === 'tool_call' && event.callId === pending.callId));
  }
  return new Set(needed.filter((event): event is ThreadEvent => event !== undefined));
}

/**
 * The thread a run hands to its continuation (continue-as-new), bounded whatever its length: the
 * run_started event, the left-behind events still needed, an `earlier_events` note (how many were
 * left, in which run, and the state they add up to), then the most recent events whole. Replaying it
 * gives the same state as the whole thread; the run named by the note keeps every event.
 */
export function carryThread(
  events: readonly ThreadEvent[],
  note: { id: string; at: string; runId: string },
  recent = CARRIED_RECENT_EVENTS,
): ThreadEvent[] {
  // What an earlier continuation kept before its note is never part of the recent events.
  const floor = Math.max(1, events.findLastIndex((event) => event.type === 'earlier_events') + 1);
  if (events.length - floor <= recent) return [...events];
  // Start the carried part at a model decision if one is near, so no result is carried without its call.
  const latest = events.length - recent;
  const from = Math.max(floor, latest - recent);
  const decision = events.slice(from, latest + 1).findLastIndex((event) => event.type === 'tool_call');
  const cut = decision < 0 ? latest : from + decision;
  const [started, ...left] = events.slice(0, cut);
  const carried = events.slice(cut);
  const needed = stillNeeded(left, carried, replay(events).pending);
  const count = left.reduce(
    (sum, event) => sum + (event.type === 'earlier_events' ? event.count : needed.has(event) ? 0 : 1),
    0,
  );
  const earlier: EventOf<'earlier_events'> = {
    type: 'earlier_events',
    ...note,
    count,
    state: replay(events.slice(0, cut)),
  };
  return [started!, ...left.filter((event) => needed.has(event)), earlier, ...carried];
}
