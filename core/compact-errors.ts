import type { EventOf, ThreadEvent } from './thread';

/** One element of the rendered event log: an event, and how many identical errors it stands for (F9). */
export interface ContextItem {
  readonly event: ThreadEvent;
  /** 1, or for a folded error the number of identical errors (same source, code, tool and message). */
  readonly count: number;
}

type ErrorEvent = EventOf<'error'>;

/** Audit records that change nothing the agent does: refused decisions and pause requests (a pause itself shows). */
const AUDIT_ONLY: ReadonlySet<ThreadEvent['type']> = new Set([
  'decision_refused',
  'pause_requested',
  'pause_withdrawn',
]);

/**
 * Events the model never sees: the run's start (its facts are in <system_state>), a fork's mark (the
 * fork decides from the same context as its source), audit-only records (AUDIT_ONLY), and notification
 * failures (not the agent's to fix).
 */
export function hidden(event: ThreadEvent): boolean {
  return (
    event.type === 'run_started' ||
    event.type === 'forked' ||
    AUDIT_ONLY.has(event.type) ||
    (event.type === 'error' && event.source === 'notify')
  );
}

export function isAgentError(event: ThreadEvent): event is ErrorEvent {
  return event.type === 'error' && event.source !== 'notify';
}

/** A later success of the same tool fixes a tool error; any later tool result shows the model's output is valid again. */
export function fixedBy(error: ErrorEvent, result: EventOf<'tool_result'>): boolean {
  return error.source === 'model' || error.tool === undefined || error.tool === result.tool;
}

/**
 * Indexes of errors the agent has since recovered from: followed by a successful tool result (see
 * `fixedBy`), or by the human's answer to the escalation they caused (a reply to it, or a resume while
 * it is pending). The same events reset the reducer's consecutive-error count.
 */
export function recoveredErrors(events: readonly ThreadEvent[]): Set<number> {
  const recovered = new Set<number>();
  let open: number[] = [];
  let escalation: string | null = null;
  const recoverAll = () => {
    open.forEach((index) => recovered.add(index));
    open = [];
    escalation = null;
  };
  events.forEach((event, index) => {
    if (isAgentError(event)) open.push(index);
    else if (event.type === 'tool_result') {
      const fixed = open.filter((at) => fixedBy(events[at] as ErrorEvent, event));
      fixed.forEach((at) => recovered.add(at));
      open = open.filter((at) => !fixed.includes(at));
    } else if (event.type === 'escalated') escalation = event.requestId;
    else if (event.type === 'human_reply' && event.requestId === escalation) recoverAll();
    else if (event.type === 'resumed' && escalation !== null) recoverAll();
  });
  return recovered;
}

/**
 * Drops an error and the failed attempt it ended: the events before it that carry its call id
 * (the call, its approval request) and the decisions on that approval request.
 */
function dropAttempt(events: readonly ThreadEvent[], errorIndex: number, dropped: Set<number>): void {
  dropped.add(errorIndex);
  const callId = (events[errorIndex] as ErrorEvent).callId;
  if (callId === undefined) return;
  const requestIds = new Set<string>();
  for (let index = 0; index < errorIndex; index++) {
    const event = events[index]!;
    if ('callId' in event && event.callId === callId) {
      dropped.add(index);
      if ('requestId' in event) requestIds.add(event.requestId);
    }
  }
  for (let index = 0; index < errorIndex; index++) {
    const event = events[index]!;
    if ('requestId' in event && event.requestId !== undefined && requestIds.has(event.requestId)) dropped.add(index);
  }
}

/** Errors with the same key fold into one item (F9). */
export function errorKey(error: ErrorEvent): string {
  return JSON.stringify([error.source, error.code ?? error.errorType, error.tool ?? '', error.message]);
}

/** Folds identical errors into their latest occurrence, which gets the count; earlier attempts drop out. */
function foldRepeatedErrors(events: readonly ThreadEvent[], dropped: Set<number>): Map<number, number> {
  const counts = new Map<number, number>();
  const latest = new Map<string, number>();
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    if (!isAgentError(event) || dropped.has(index)) continue;
    const key = errorKey(event);
    const kept = latest.get(key);
    if (kept === undefined) {
      latest.set(key, index);
      counts.set(index, 1);
    } else {
      counts.set(kept, counts.get(kept)! + 1);
      dropAttempt(events, index, dropped);
    }
  }
  return counts;
}

/**
 * The events the model sees, errors compacted (F9): errors it has recovered from drop out with their
 * failed attempts, and repeated identical errors fold into one item with a count. The thread itself
 * keeps every event; this only shapes the context.
 */
export function compactEvents(events: readonly ThreadEvent[]): ContextItem[] {
  const dropped = new Set<number>();
  for (const index of recoveredErrors(events)) dropAttempt(events, index, dropped);
  const counts = foldRepeatedErrors(events, dropped);
  return events.flatMap((event, index) =>
    dropped.has(index) || hidden(event) ? [] : [{ event, count: counts.get(index) ?? 1 }],
  );
}
