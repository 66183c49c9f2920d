import type { AgentState } from './reducer';

/** The Temporal CLI line that sends a signal: one spelling for the notices, the Web UI and `tfa status`. */
export function signalCommand(workflowId: string, name: string, input: object): string {
  return `temporal workflow signal --workflow-id ${workflowId} --name ${name} --input '${JSON.stringify(input)}'`;
}

/** What a run waits for and how to answer it, for the Web UI's current details and `tfa status`. */
export function describeWaiting(workflowId: string, state: AgentState): string {
  const pending = state.pending;
  const lines = [`**${state.agent}**: ${state.status}, step ${state.step} of ${state.maxSteps}`];
  if (state.status === 'paused') {
    lines.push('', `Paused. Resume: \`${signalCommand(workflowId, 'resume', { by: '<you>' })}\``);
  }
  if (!pending) return lines.join('\n');
  const answer = (name: string, body: object) => `\`${signalCommand(workflowId, name, { requestId: pending.requestId, ...body })}\``;
  if (pending.kind === 'approval') {
    lines.push(
      '',
      `Waits for approval of \`${pending.tool}\` with \`${JSON.stringify(pending.args)}\` (${pending.argsDigest}).`,
      `Approve: ${answer('approve', { by: '<you>' })}`,
      `Reject: ${answer('reject', { by: '<you>', reason: '<why>' })}`,
    );
  } else {
    lines.push('', `Waits for a reply: ${pending.question ?? ''}`, `Reply: ${answer('reply', { by: '<you>', text: '<answer>' })}`);
  }
  return lines.join('\n');
}
