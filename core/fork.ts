/**
 * Fork (tfa fork): what a fork's input names, and which tool call a fork acts on again (the cut
 * itself is in fork-cut.ts, out of the workflow bundle). A step is a model decision, numbered from 1 as
 * `tfa model-input --step` counts them; an event id is the `id` of one thread event (`tfa status --json`).
 */
import { z } from 'zod';
import { TfaError } from './errors';
import type { RunPolicy } from './policy';
import type { EventOf, ThreadEvent } from './thread';

/** JSON bytes of the kept events a fork takes over; a fork of a longer thread is refused (cut earlier). */
export const MAX_FORK_THREAD_BYTES = 1_000_000;

/** `{ step: n }`: the events before the n-th model decision (the fork decides it anew); `{ eventId }`: up to and including that event. */
export const ForkPoint = z.union([
  z.object({ step: z.number().int().positive() }).strict(),
  z.object({ eventId: z.string().min(1).max(100) }).strict(),
]);
export type ForkPoint = z.infer<typeof ForkPoint>;

/** What a fork's start input names: the source run and the cut, never events (the fork reads them from the server). */
export const ForkSource = z
  .object({
    workflowId: z.string().min(1).max(1000),
    /** One run of the workflow id (an earlier one an earlier_events note names); default its latest. */
    runId: z.string().min(1).max(100).optional(),
    at: ForkPoint,
  })
  .strict();
export type ForkSource = z.infer<typeof ForkSource>;

/** A cut that cannot be made: the caller named a point the thread does not have, or one with nothing left to do. */
export class ForkRefusedError extends TfaError {}

/** `--at 3` is a step, anything else an event id. */
export function parseForkPoint(text: string): ForkPoint {
  return /^\d+$/.test(text) ? { step: Number(text) } : { eventId: text };
}

/**
 * The tool call a fork acts on again: the last call, when the kept events hold no outcome of it (a
 * result, an error, its request rejected or answered). An approval granted for it does not count: the
 * fork asks for approval anew.
 */
export function openCall(events: readonly ThreadEvent[]): EventOf<'tool_call'> | undefined {
  const index = events.findLastIndex((event) => event.type === 'tool_call');
  if (index < 0) return undefined;
  const call = events[index] as EventOf<'tool_call'>;
  const after = events.slice(index + 1);
  const requests = new Set(
    after.flatMap((event) =>
      (event.type === 'approval_requested' || event.type === 'human_input_requested') && event.callId === call.callId
        ? [event.requestId]
        : [],
    ),
  );
  const finished = after.some((event) => {
    if (event.type === 'tool_result' || event.type === 'error' || event.type === 'done')
      return event.callId === call.callId;
    if (event.type === 'approval_rejected' || event.type === 'human_reply') return requests.has(event.requestId);
    return false;
  });
  return finished ? undefined : call;
}

/** The policy a fork read when it started (a continued fork keeps following it), if the thread is a fork's. */
export function forkedPolicy(events: readonly ThreadEvent[]): RunPolicy | undefined {
  const forked = events.findLast((event): event is EventOf<'forked'> => event.type === 'forked');
  return forked?.policy;
}

/** Start-input fields a fork takes from the source's thread (its run_started and task), never from its starter. */
export const FORK_KEEPS = ['message', 'maxSteps', 'maxTokens', 'maxCostUsd', 'budgetCarried'] as const;

/** The fields of a fork's start input that would be silently ignored: a fork refuses them. */
export function forkInputConflicts(input: Partial<Record<(typeof FORK_KEEPS)[number], unknown>>): string[] {
  return FORK_KEEPS.filter((field) => input[field] !== undefined);
}
