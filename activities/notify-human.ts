import { log } from '@temporalio/activity';
import { signalCommand } from '../core/waiting';
import type { NotificationChannel } from './channels/channel';

export interface NotifyHumanInput {
  workflowId: string;
  agent: string;
  requestId: string;
  /** What is pending: approval (approve/reject), input or escalation (reply). */
  kind: 'approval' | 'input' | 'escalation';
  /** One line saying what is asked: the tool and its exact arguments, or the question. */
  summary: string;
  /** Set when the request timed out and this notice goes to the escalation contact. */
  escalatedTo?: string;
}

/** The exact commands a person runs to answer, with our CLI and with the Temporal CLI alone. */
export function answerCommands(input: NotifyHumanInput): string[] {
  const id = input.workflowId;
  const signal = (name: string, body: object) => signalCommand(id, name, { requestId: input.requestId, ...body });
  if (input.kind === 'approval') {
    return [
      `npm run tfa -- approve ${id} --by <you>`,
      `npm run tfa -- reject ${id} --by <you> --reason "<why>"`,
      signal('approve', { by: '<you>' }),
      signal('reject', { by: '<you>', reason: '<why>' }),
    ];
  }
  return [`npm run tfa -- reply ${id} --by <you> "<answer>"`, signal('reply', { by: '<you>', text: '<answer>' })];
}

/** The notice as plain text: who it is for, what waits, how to answer. */
export function noticeText(input: NotifyHumanInput): string {
  const header = input.escalatedTo
    ? `[tfa] ESCALATED to ${input.escalatedTo}: ${input.agent} run ${input.workflowId} still waits for a human (${input.kind}, request ${input.requestId}):`
    : `[tfa] ${input.agent} run ${input.workflowId} waits for a human (${input.kind}, request ${input.requestId}):`;
  return [header, `  ${input.summary}`, '  answer with one of:', ...answerCommands(input).map((command) => `    ${command}`)].join('\n');
}

/** Contacting a human is a side effect like any other (F7), sent through the configured channel. */
export function createNotifyHuman(deps: { channel: NotificationChannel }) {
  return async function notifyHuman(input: NotifyHumanInput): Promise<void> {
    await deps.channel.send({ type: 'human_needed', data: { ...input }, text: noticeText(input), commands: answerCommands(input) });
    log.info('human notified', { workflowId: input.workflowId, requestId: input.requestId, channel: deps.channel.name });
  };
}
