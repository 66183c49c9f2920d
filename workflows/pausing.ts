/**
 * Pausing, in one place (F6): the `pause` and `resume` handlers, the step boundary where a pause takes
 * effect, and what a continued run inherits. A pause never interrupts a tool mid-flight: it is
 * acknowledged at once (a `pause_requested` event, `pauseRequested` in status) and takes effect at
 * the next step boundary (a `paused` event), unless a `resume` withdraws it first (`pause_withdrawn`).
 */
import { condition } from '@temporalio/workflow';
import { parseMessage, PauseInput, ResumeInput } from '../core/decisions';
import { FINAL_STATUSES } from '../core/thread';
import type { HandOver } from './run';
import type { RunThread } from './run-thread';

/** A pause is acknowledged at once with pause_requested; older runs replay without it. */
export const PAUSE_REQUESTED_PATCH = 'pause-requested-v1';

/** Pause and resume requests waiting for the loop's next step boundary. */
export interface PauseControl {
  requested: PauseInput | null;
  resume: ResumeInput | null;
  /** Record pause_requested/pause_withdrawn (patch `pause-requested-v1`); false when replaying older runs. */
  acknowledge: boolean;
}

export function createPauseControl(requested: PauseInput | null, acknowledge: boolean): PauseControl {
  return { requested, resume: null, acknowledge };
}

const refuse = (thread: RunThread, message: 'pause' | 'resume', by: string | undefined, reason: string) =>
  void thread.append({ type: 'decision_refused', message, by, reason });

/** `pause`: stop at the next step boundary; refused once the run has ended (or, acknowledged, when one is already asked for). */
export function onPause(thread: RunThread, control: PauseControl, raw: unknown): void {
  const parsed = parseMessage(PauseInput, 'pause', raw);
  if (!parsed.ok) return void thread.append(parsed.event);
  const { by, reason } = parsed.value;
  if (FINAL_STATUSES.includes(thread.state.status)) return refuse(thread, 'pause', by, 'the run has ended');
  if (!control.acknowledge) return void (control.requested = parsed.value);
  if (thread.state.status === 'paused') return refuse(thread, 'pause', by, 'the run is already paused');
  if (control.requested)
    return refuse(thread, 'pause', by, 'a pause is already requested; it takes effect at the next step boundary');
  control.requested = parsed.value;
  thread.append({ type: 'pause_requested', by, reason });
}

/** `resume`: continues a paused run, answers a run that needs a human, or withdraws a pause not yet in effect. */
export function onResume(thread: RunThread, control: PauseControl, raw: unknown): void {
  const parsed = parseMessage(ResumeInput, 'resume', raw);
  if (!parsed.ok) return void thread.append(parsed.event);
  if (thread.state.status === 'needs_human') return void thread.append({ type: 'resumed', ...parsed.value });
  if (thread.state.status === 'paused') return void (control.resume = parsed.value);
  if (control.requested) {
    control.requested = null; // withdrawn before it took effect: nothing to undo
    if (control.acknowledge) thread.append({ type: 'pause_withdrawn', ...parsed.value });
    return;
  }
  refuse(thread, 'resume', parsed.value.by, 'the run is not paused');
}

/**
 * Honours a requested pause: between steps, and between choosing a tool and running it. Between steps
 * (`handOver` given) a paused run may continue as new while it waits, and its continuation, restored
 * paused, waits here for the resume.
 */
export async function stepBoundary(thread: RunThread, control: PauseControl, handOver?: HandOver): Promise<void> {
  if (control.requested) {
    thread.append({ type: 'paused', ...control.requested });
    control.requested = null;
  } else if (!handOver || thread.state.status !== 'paused') return;
  for (;;) {
    await condition(() => control.resume !== null || (handOver?.ready() ?? false));
    if (control.resume !== null) break;
    await handOver!.continueAsNew();
  }
  thread.append({ type: 'resumed', ...control.resume! });
  control.resume = null;
}
