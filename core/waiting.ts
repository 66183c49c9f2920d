import type { AgentState, PendingRequest } from './reducer';
import { shellQuote } from './shell-quote';

/**
 * The Temporal CLI line that sends a signal with a JSON body: one spelling for notices, the Web UI and `tfa status`.
 * Every id is shell-quoted (core/shell-quote.ts), so a copied line runs this command and nothing else.
 */
export function signalCommand(workflowId: string, name: string, input: object): string {
  return `temporal workflow signal --workflow-id ${shellQuote(workflowId)} --name ${name} --input ${shellQuote(JSON.stringify(input))}`;
}

/** The Temporal CLI line whose body `tfa sign` makes: a decision signed with your key, for this request only. */
function signedSignalCommand(workflowId: string, name: 'approve' | 'reject', requestId: string, extra = ''): string {
  const sign = `tfa sign ${name} ${shellQuote(workflowId)} --request-id ${shellQuote(requestId)} --by <you>${extra}`;
  return `temporal workflow signal --workflow-id ${shellQuote(workflowId)} --name ${name} --input "$(${sign})"`;
}

/**
 * Every way to answer a pending request, each naming it by id, so an answer can only land on the
 * request it was printed for: `tfa` (signs with your key), the Temporal CLI, and Slack.
 */
export function answerCommands(workflowId: string, pending: Pick<PendingRequest, 'requestId' | 'kind'>): string[] {
  const id = pending.requestId;
  const [run, request] = [shellQuote(workflowId), shellQuote(id)];
  if (pending.kind === 'approval') {
    return [
      `tfa approve ${run} --request-id ${request} --by <you>`,
      `tfa reject ${run} --request-id ${request} --by <you> --reason "<why>"`,
      signedSignalCommand(workflowId, 'approve', id),
      signedSignalCommand(workflowId, 'reject', id, ` --reason '<why>'`),
      `/tfa approve ${workflowId} ${id}`,
      `/tfa reject ${workflowId} ${id} <why>`,
    ];
  }
  return [
    `tfa reply ${run} --request-id ${request} --by <you> "<answer>"`,
    signalCommand(workflowId, 'reply', { requestId: id, by: '<you>', text: '<answer>' }),
  ];
}

/** What a run waits for and how to answer it, for the Web UI's current details and `tfa status`. */
export function describeWaiting(workflowId: string, state: AgentState): string {
  const pending = state.pending;
  const lines = [`**${state.agent}**: ${state.status}, step ${state.step} of ${state.maxSteps}`];
  if (state.status === 'paused') {
    lines.push('', `Paused. Resume: \`${signalCommand(workflowId, 'resume', { by: '<you>' })}\``);
  }
  if (state.pauseRequested) {
    const { by, reason } = state.pauseRequested;
    const asked = `Pause requested${by ? ` by ${by}` : ''}${reason ? ` (${reason})` : ''}: it takes effect at the next step boundary.`;
    lines.push('', `${asked} Withdraw: \`${signalCommand(workflowId, 'resume', { by: '<you>' })}\``);
  }
  if (!pending) return lines.join('\n');
  if (pending.kind === 'approval') {
    lines.push('', `Waits for approval of request ${pending.requestId}: \`${pending.tool}\` with \`${JSON.stringify(pending.args)}\` (${pending.argsDigest}).`);
  } else {
    lines.push('', `Waits for a reply to request ${pending.requestId}: ${pending.question ?? ''}`);
  }
  lines.push('Answer with one of:', ...answerCommands(workflowId, pending).map((command) => `- \`${command}\``));
  return lines.join('\n');
}
