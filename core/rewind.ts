/**
 * Rewind (tfa rewind): which model decision a run goes back to, and whether going back is safe. A
 * rewind replays the run up to that decision and lets the model decide it anew, in place; what a tool
 * did in the world after that point would stay done, so a rewind past a tool that acts is refused.
 */
import { findTool, type AgentDefinition } from './agent';
import { ForkRefusedError, type ForkPoint } from './fork';
import { eventsBeforeStep, isDecision } from './model-input';
import { AgentState, replay } from './reducer';
import type { EventOf, ThreadEvent } from './thread';

/** A rewind that is not safe or names no decision of the run; the message says which event and what to do. */
export class RewindRefusedError extends ForkRefusedError {}

/** The step a rewind goes back to: `{ step }`, or the id of a model decision (a tool call, or a model error). */
export function rewindStep(events: readonly ThreadEvent[], to: ForkPoint, workflowId: string): number {
  const steps = replay(events).step;
  if ('step' in to) {
    if (to.step > steps)
      throw new RewindRefusedError(`${workflowId} has no step ${to.step}: it has made ${steps} model decision(s)`);
    return to.step;
  }
  const index = events.findIndex((event) => event.id === to.eventId);
  const event = events[index];
  if (!event || !isDecision(event))
    throw new RewindRefusedError(
      `${workflowId} has no model decision with event id ${to.eventId}: rewind goes back to a tool_call (or a model error) or a step`,
    );
  return replay(events.slice(0, index + 1)).step;
}

/** Whether the call did something in the world: an immediate tool that is not read-only, or an approval tool that was granted. */
function acted(agent: AgentDefinition, call: EventOf<'tool_call'>, events: readonly ThreadEvent[]): boolean {
  if (findTool(agent, call.tool)?.readOnly) return false;
  if (call.kind === 'immediate') return true;
  if (call.kind !== 'approval') return false;
  const requests = events.flatMap((event) =>
    event.type === 'approval_requested' && event.callId === call.callId ? [event.requestId] : [],
  );
  return events.some((event) => event.type === 'approval_granted' && requests.includes(event.requestId));
}

/**
 * Refuses a rewind to `step` when a tool that acts ran (or may be running) at or after it: the first
 * such call is named by its event id. Steps before the run's earlier_events note, and runs with a budget
 * (whose spend a rewind would forget), are refused too.
 */
export function assertRewindSafe(agent: AgentDefinition, events: readonly ThreadEvent[], step: number): void {
  if (replay(events).budget)
    throw new RewindRefusedError(
      `the run has a budget: the model calls after step ${step} were paid for, and a rewind would forget their spend; fork instead (tfa fork)`,
    );
  const note = events.findLast((event): event is EventOf<'earlier_events'> => event.type === 'earlier_events');
  if (note && step <= AgentState.parse(note.state).step)
    throw new RewindRefusedError(
      `step ${step} was made before this run continued as new (run ${note.runId}): a rewind does not cross continue-as-new; fork that run instead (tfa fork --run ${note.runId} --at ${step})`,
    );
  const after = events.slice(eventsBeforeStep(events, step) ?? events.length);
  const call = after.find(
    (event): event is EventOf<'tool_call'> => event.type === 'tool_call' && acted(agent, event, after),
  );
  if (call) {
    const at = replay(events.slice(0, events.indexOf(call) + 1)).step;
    throw new RewindRefusedError(
      `step ${at} ran ${call.tool} (event ${call.id}), at or after step ${step}: what it did already happened in the world and a rewind would not undo it; fork at step ${step} instead (tfa fork)`,
    );
  }
}
