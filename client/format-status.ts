import { renderEvent } from '../core/context';
import type { ThreadView } from '../workflows/messages';

/** `tfa status`: the state, exactly what is waiting for whom, then the thread one event a line. */
export function formatStatus(workflowId: string, { state, events }: ThreadView): string {
  const lines = [`${workflowId}  agent=${state.agent}  status=${state.status}  step=${state.step}/${state.maxSteps}`];
  const pending = state.pending;
  if (pending?.kind === 'approval') {
    lines.push(`waiting for approval of ${pending.tool} ${JSON.stringify(pending.args)}`);
    lines.push(`  request ${pending.requestId}  args ${pending.argsDigest}  since ${pending.since}`);
  } else if (pending) {
    lines.push(`waiting for a reply (request ${pending.requestId}): ${pending.question ?? ''}`);
  }
  if (state.result) lines.push(`result: ${JSON.stringify(state.result)}`);
  if (state.reason) lines.push(`reason: ${state.reason}`);
  lines.push('thread:');
  for (const event of events) {
    const rendered = event.type === 'decision_refused'
      ? `<decision_refused message="${event.message}" by="${event.by ?? ''}">${event.reason}</decision_refused>`
      : renderEvent(event);
    if (rendered) lines.push(`  ${event.at}  ${rendered}`);
  }
  return lines.join('\n');
}
