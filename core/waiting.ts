import { DEFAULT_NAMESPACE } from './constants';
import type { AgentState, PendingRequest } from './reducer';
import { shellQuote } from './shell-quote';

/** `temporal workflow signal` in the run's namespace: `--namespace` is named unless it is `default`, the CLI's own default. */
function signalPrefix(workflowId: string, name: string, namespace: string): string {
  const inNamespace = namespace === DEFAULT_NAMESPACE ? '' : ` --namespace ${shellQuote(namespace)}`;
  return `temporal workflow signal${inNamespace} --workflow-id ${shellQuote(workflowId)} --name ${name}`;
}

/**
 * The Temporal CLI line that sends a signal with a JSON body: one spelling for notices, the Web UI and `tfa status`.
 * Every id is shell-quoted (core/shell-quote.ts), so a copied line runs this command and nothing else.
 */
export function signalCommand(workflowId: string, name: string, input: object, namespace = DEFAULT_NAMESPACE): string {
  return `${signalPrefix(workflowId, name, namespace)} --input ${shellQuote(JSON.stringify(input))}`;
}

/** The Temporal CLI line whose body `tfa sign` makes: a decision signed with your key, for this request only. */
function signedSignalCommand(workflowId: string, name: 'approve' | 'reject', requestId: string, namespace: string, extra = ''): string {
  const sign = `tfa sign ${name} ${shellQuote(workflowId)} --request-id ${shellQuote(requestId)} --by <you>${extra}`;
  return `${signalPrefix(workflowId, name, namespace)} --input "$(${sign})"`;
}

/**
 * Every way to answer a pending request, each naming it by id, so an answer can only land on the
 * request it was printed for: `tfa` (signs with your key), the Temporal CLI, and Slack.
 */
export function answerCommands(workflowId: string, pending: Pick<PendingRequest, 'requestId' | 'kind'>, namespace = DEFAULT_NAMESPACE): string[] {
  const id = pending.requestId;
  const [run, request] = [shellQuote(workflowId), shellQuote(id)];
  if (pending.kind === 'approval') {
    return [
      `tfa approve ${run} --request-id ${request} --by <you>`,
      `tfa reject ${run} --request-id ${request} --by <you> --reason "<why>"`,
      signedSignalCommand(workflowId, 'approve', id, namespace),
      signedSignalCommand(workflowId, 'reject', id, namespace, ` --reason '<why>'`),
      `/tfa approve ${workflowId} ${id}`,
      `/tfa reject ${workflowId} ${id} <why>`,
    ];
  }
  return [
    `tfa reply ${run} --request-id ${request} --by <you> "<answer>"`,
    signalCommand(workflowId, 'reply', { requestId: id, by: '<you>', text: '<answer>' }, namespace),
  ];
}

/** What a run waits for and how to answer it, for the Web UI's current details and `tfa status`. */
export function describeWaiting(workflowId: string, state: AgentState, namespace = DEFAULT_NAMESPACE): string {
  const pending = state.pending;
  const lines = [`**${state.agent}**: ${state.status}, step ${state.step} of ${state.maxSteps}`];
  if (state.status === 'paused') {
    lines.push('', `Paused. Resume: \`${signalCommand(workflowId, 'resume', { by: '<you>' }, namespace)}\``);
  }
  if (state.pauseRequested) {
    const { by, reason } = state.pauseRequested;
    const asked = `Pause requested${by ? ` by ${by}` : ''}${reason ? ` (${reason})` : ''}: it takes effect at the next step boundary.`;
    lines.push('', `${asked} Withdraw: \`${signalCommand(workflowId, 'resume', { by: '<you>' }, namespace)}\``);
  }
  if (!pending) return lines.join('\n');
  if (pending.kind === 'approval') {
    lines.push('', `Waits for approval of request ${pending.requestId}: \`${pending.tool}\` with \`${JSON.stringify(pending.args)}\` (${pending.argsDigest}).`);
  } else {
    lines.push('', `Waits for a reply to request ${pending.requestId}: ${pending.question ?? ''}`);
  }
  lines.push('Answer with one of:', ...answerCommands(workflowId, pending, namespace).map((command) => `- \`${command}\``));
  return lines.join('\n');
}
