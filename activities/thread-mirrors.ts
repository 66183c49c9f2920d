import { MirroredThread } from '../core/mirrored-thread';
import type { ThreadEvent } from '../core/thread';

/**
 * The worker's copies of recent runs' threads, by run id: the local activity that counts a step's
 * tokens brings each run's new events here (its input never enters history), and the model and tool
 * activities that follow on this worker render the steps they decide ahead from them. A worker that
 * lacks a run's copy, or holds a stale one, simply makes one decision per model activity.
 */
const MAX_MIRRORED_RUNS = 32;

const mirrors = new Map<string, MirroredThread>();

/** What the workflow sends along with its count request: its events from `from` on. */
export interface ThreadDelta {
  from: number;
  events: ThreadEvent[];
}

/** Brings the run's copy up to the workflow's thread; false when it could not (the workflow then sends it whole). */
export function followThread(runId: string, delta: ThreadDelta): boolean {
  let mirror = mirrors.get(runId);
  mirrors.delete(runId);
  if (!mirror && delta.from === 0) mirror = new MirroredThread();
  if (!mirror?.follow(delta.from, delta.events)) return false;
  mirrors.set(runId, mirror); // most recently used last
  for (const oldest of mirrors.keys()) {
    if (mirrors.size <= MAX_MIRRORED_RUNS) break;
    mirrors.delete(oldest);
  }
  return true;
}

/** The run's copy if it holds exactly `length` events, the thread the decision starts from. */
export function mirroredThread(runId: string, length: number): MirroredThread | undefined {
  const mirror = mirrors.get(runId);
  return mirror?.length === length ? mirror : undefined;
}

/** Forgets a copy that went wrong (a render that differs from the workflow's). */
export function forgetThread(runId: string): void {
  mirrors.delete(runId);
}
