import type { EventOf, NewEvent, ThreadEvent } from './thread';

type Refusal = Omit<EventOf<'decision_refused'>, 'id' | 'at'>;

/** Different refusals one thread keeps as their own events; past this, refusals are only counted (README "Limits"). */
export const MAX_REFUSAL_EVENTS = 100;

/** What a refusal past MAX_REFUSAL_EVENTS is recorded as: one event whose count grows. */
export const OVERFLOW_REFUSAL: Refusal = {
  type: 'decision_refused',
  message: '*',
  reason: `more than ${MAX_REFUSAL_EVENTS} different refused messages: further ones are only counted here (each is in the workflow history)`,
};

const sameRefusal = (event: ThreadEvent, refusal: Refusal) =>
  event.type === 'decision_refused' &&
  event.message === refusal.message &&
  event.by === refusal.by &&
  event.requestId === refusal.requestId &&
  event.reason === refusal.reason;

export type RefusalPlacement = { readonly fold: number; readonly event: ThreadEvent } | { readonly append: NewEvent };

/**
 * Where a refusal goes so that no flood grows a thread without bound: onto the `count` of an
 * identical earlier refusal (same message, by, request and reason), else a new event, else (with
 * MAX_REFUSAL_EVENTS different ones already kept) onto the one overflow event. Refusals are hidden
 * from the model, so folding one into an earlier event never changes a rendered model input.
 */
export function placeRefusal(events: readonly ThreadEvent[], refusal: Refusal): RefusalPlacement {
  const identical = events.findLastIndex((event) => sameRefusal(event, refusal));
  if (identical >= 0) return foldInto(events, identical);
  const kept = events.reduce((sum, event) => sum + (event.type === 'decision_refused' ? 1 : 0), 0);
  if (kept < MAX_REFUSAL_EVENTS) return { append: refusal };
  const overflow = events.findLastIndex((event) => sameRefusal(event, OVERFLOW_REFUSAL));
  return overflow >= 0 ? foldInto(events, overflow) : { append: OVERFLOW_REFUSAL };
}

function foldInto(events: readonly ThreadEvent[], index: number): RefusalPlacement {
  const earlier = events[index] as EventOf<'decision_refused'>;
  return { fold: index, event: { ...earlier, count: (earlier.count ?? 1) + 1 } };
}
