import { replay } from './reducer';
import type { EventOf, ThreadEvent } from './thread';

/** Events a continued run takes along whole: the recent past, far more than the context budget shows. */
export const CARRIED_RECENT_EVENTS = 100;

/** The left-behind events still needed: the task, and the latest rejection and reply unless newer ones are carried. */
function stillNeeded(left: readonly ThreadEvent[], carried: readonly ThreadEvent[]): Set<ThreadEvent> {
  const latest = (type: ThreadEvent['type']) => (carried.some((event) => event.type === type) ? undefined : left.findLast((event) => event.type === type));
  const needed = [left.find((event) => event.type === 'user_message'), latest('approval_rejected'), latest('human_reply')];
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
  if (events.length <= recent + 1) return [...events];
  // Start the carried part at a model decision if one is near, so no result is carried without its call.
  const latest = events.length - recent;
  const decision = events.slice(Math.max(1, latest - recent), latest + 1).findLastIndex((event) => event.type === 'tool_call');
  const cut = decision < 0 ? latest : Math.max(1, latest - recent) + decision;
  const [started, ...left] = events.slice(0, cut);
  const carried = events.slice(cut);
  const needed = stillNeeded(left, carried);
  const count = left.reduce((sum, event) => sum + (event.type === 'earlier_events' ? event.count : needed.has(event) ? 0 : 1), 0);
  const earlier: EventOf<'earlier_events'> = { type: 'earlier_events', ...note, count, state: replay(events.slice(0, cut)) };
  return [started!, ...left.filter((event) => needed.has(event)), earlier, ...carried];
}
