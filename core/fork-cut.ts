import { ForkRefusedError, MAX_FORK_THREAD_BYTES, type ForkPoint } from './fork';
import { eventsBeforeStep } from './model-input';
import { AgentState, replay } from './reducer';
import { FINAL_STATUSES, type EventOf, type ThreadEvent } from './thread';

function cutIndex(events: readonly ThreadEvent[], at: ForkPoint, runId: string): number {
  const state = replay(events);
  const earlier = events.findLast((event): event is EventOf<'earlier_events'> => event.type === 'earlier_events');
  if ('step' in at) {
    const before = eventsBeforeStep(events, at.step);
    if (before !== undefined) return before;
    if (earlier && at.step <= AgentState.parse(earlier.state).step)
      throw new ForkRefusedError(
        `step ${at.step} was made before run ${runId} continued as new: fork the run ${earlier.runId} (--run ${earlier.runId})`,
      );
    throw new ForkRefusedError(`run ${runId} has no step ${at.step}: it has made ${state.step} model decision(s)`);
  }
  const index = events.findIndex((event) => event.id === at.eventId);
  if (index < 0)
    throw new ForkRefusedError(`run ${runId} has no event ${at.eventId}: tfa status --json lists its events' ids`);
  const note = earlier ? events.indexOf(earlier) : -1;
  if (index < note)
    throw new ForkRefusedError(
      `event ${at.eventId} was carried over from run ${earlier!.runId}, before this run continued as new: fork that run (--run ${earlier!.runId})`,
    );
  return index + 1;
}

/**
 * The source's events a fork keeps: up to the cut, which must leave the task in and the run unfinished.
 * Refused with the reason when the point is out of range, or the kept events exceed MAX_FORK_THREAD_BYTES.
 */
export function cutThread(events: readonly ThreadEvent[], at: ForkPoint, runId: string): ThreadEvent[] {
  const kept = events.slice(0, cutIndex(events, at, runId));
  if (!kept.some((event) => event.type === 'user_message'))
    throw new ForkRefusedError(`the cut leaves out the task: fork at its user_message event or later`);
  const ended = kept.find((event) => event.type === 'done' || event.type === 'run_ended');
  if (ended || FINAL_STATUSES.includes(replay(kept).status))
    throw new ForkRefusedError(`event ${ended?.id ?? ''} ends the run: fork at an earlier event or step`);
  const bytes = JSON.stringify(kept).length;
  if (bytes > MAX_FORK_THREAD_BYTES)
    throw new ForkRefusedError(
      `the thread up to the cut is ${bytes} bytes, over the fork limit of ${MAX_FORK_THREAD_BYTES}: cut earlier`,
    );
  return kept;
}
