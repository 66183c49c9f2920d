/** Escalation (F9): after too many consecutive errors the run stops and asks a human instead of spinning. */
import { uuid4 } from '@temporalio/workflow';
import { waitForHuman } from './human-requests';
import type { Run } from './run';

/** Records why the run is stuck and waits for guidance or a resume; the request escalates on timeout like any other. */
export async function escalate(run: Run): Promise<void> {
  const lastError = run.thread.events.findLast((event) => event.type === 'error');
  const lastMessage = lastError?.type === 'error' ? lastError.message : 'unknown';
  const reason = `${run.thread.state.consecutiveErrors} consecutive errors; last: ${lastMessage}`;
  run.thread.append({ type: 'escalated', requestId: uuid4(), reason });
  await waitForHuman(run);
}
