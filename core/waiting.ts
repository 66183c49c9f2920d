import { DEFAULT_NAMESPACE } from './constants';
import { describeQuorum } from './quorum';
import type { AgentState, PendingRequest } from './reducer';
import { namespaceFlag, shellQuote } from './shell-quote';

/** A request answered with approve or reject: a tool's approval, or another budget window. */
export function isApprovalLike(pending: Pick<PendingRequest, 'kind'>): boolean {
  return pending.kind === 'approval' || pending.kind === 'budget';
}

/** `temporal workflow signal` in the run's namespace: `--namespace` is named unless it is `default`, the CLI's own default. */
function signalPrefix(workflowId: string, name: string, namespace: string): string {
  const inNamespace = namespaceFlag(namespace);
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
function signedSignalCommand(
  workflowId: string,
  name: 'approve' | 'reject',
  requestId: string,
  namespace: string,
  extra = '',
): string {
  const sign = `tfa sign ${name} ${shellQuote(workflowId)} --request-id ${shellQuote(requestId)} --by <you>${extra}`;
  return `${signalPrefix(workflowId, name, namespace)} --input "$(${sign})"`;
}

/**
 * Every way to answer a pending request, each naming it by id, so an answer can only land on the
 * request it was printed for: `tfa` (signs with your key), the Temporal CLI, and Slack.
 */
export function answerCommands(
  workflowId: string,
  pending: Pick<PendingRequest, 'requestId' | 'kind'>,
  namespace = DEFAULT_NAMESPACE,
): string[] {
  const id = pending.requestId;
  const [run, request] = [shellQuote(workflowId), shellQuote(id)];
  if (isApprovalLike(pending)) {
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

/** Heading of the answer commands wherever a waiting request is shown (the Slack channel reads a notice up to it). */
export const ANSWER_HEADING = 'answer with one of:';

/** The answer commands under their heading, as plain text indented by `indent`: notices and `tfa status`. */
export function answerLines(
  workflowId: string,
  pending: Pick<PendingRequest, 'requestId' | 'kind'>,
  indent: string,
  namespace = DEFAULT_NAMESPACE,
): string[] {
  const commands = answerCommands(workflowId, pending, namespace).map((command) => `${indent}  ${command}`);
  return [`${indent}${ANSWER_HEADING}`, ...commands];
}

/** What a pending request asks, in one line: the tool with its exact arguments, or the question. */
export function pendingAsk(pending: Pick<PendingRequest, 'kind' | 'tool' | 'args' | 'question'>): string {
  if (pending.kind === 'budget') return `another budget window (${pending.question ?? ''}); reject stops the run`;
  return pending.kind === 'approval' ? `${pending.tool} ${JSON.stringify(pending.args)}` : (pending.question ?? '');
}

/** Under a quorum, who approved the request so far and who is still needed; null when one approval decides. */
export function quorumNote(pending: Pick<PendingRequest, 'quorum' | 'approvedBy'>): string | null {
  return pending.quorum ? describeQuorum(pending.quorum, pending.approvedBy ?? []) : null;
}

/** Who asked for the pause that the next step boundary takes, and why. */
export function pauseRequestNote({ by, reason }: NonNullable<AgentState['pauseRequested']>): string {
  return `pause requested${by ? ` by ${by}` : ''}${reason ? ` (${reason})` : ''}: it takes effect at the next step boundary`;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What a run waits for and how to answer it (Markdown), for the Web UI's current details. */
export function describeWaiting(workflowId: string, state: AgentState, namespace = DEFAULT_NAMESPACE): string {
  const pending = state.pending;
  const lines = [`**${state.agent}**: ${state.status}, step ${state.step} of ${state.maxSteps}`];
  if (state.status === 'paused') {
    lines.push('', `Paused. Resume: \`${signalCommand(workflowId, 'resume', { by: '<you>' }, namespace)}\``);
  }
  if (state.pauseRequested) {
    lines.push(
      '',
      `${sentence(pauseRequestNote(state.pauseRequested))}. Withdraw: \`${signalCommand(workflowId, 'resume', { by: '<you>' }, namespace)}\``,
    );
  }
  if (!pending) return lines.join('\n');
  if (pending.kind === 'budget') {
    lines.push(
      '',
      `Waits for approval of request ${pending.requestId}: ${pendingAsk(pending)} (${pending.argsDigest}).`,
    );
    const quorum = quorumNote(pending);
    if (quorum) lines.push(`${sentence(quorum)}.`);
  } else if (pending.kind === 'approval') {
    lines.push(
      '',
      `Waits for approval of request ${pending.requestId}: \`${pendingAsk(pending)}\` (${pending.argsDigest}).`,
    );
    const quorum = quorumNote(pending);
    if (quorum) lines.push(`${sentence(quorum)}.`);
  } else {
    lines.push('', `Waits for a reply to request ${pending.requestId}: ${pendingAsk(pending)}`);
  }
  lines.push(
    sentence(ANSWER_HEADING),
    ...answerCommands(workflowId, pending, namespace).map((command) => `- \`${command}\``),
  );
  return lines.join('\n');
}
