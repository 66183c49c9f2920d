import { activityInfo, log } from '@temporalio/activity';
import { printable } from '../core/terminal-text';
import { answerCommands, answerLines } from '../core/waiting';
import type { NotificationChannel } from './channels/channel';

export interface NotifyHumanInput {
  workflowId: string;
  agent: string;
  requestId: string;
  /** What is pending: approval or budget (approve/reject), input or escalation (reply). */
  kind: 'approval' | 'input' | 'escalation' | 'budget';
  /** One line saying what is asked: the tool and its exact arguments, or the question. */
  summary: string;
  /** Set when the request timed out and this notice goes to the escalation contact. */
  escalatedTo?: string;
  /** Under a quorum: who approved so far and who is still needed (core/waiting.ts quorumNote). */
  approvals?: string;
  /** An approval's arguments digest (`sha256:…`): a decision from a button names it, so it lands on what was shown. */
  argsDigest?: string;
}

/** The notice as plain text: who it is for, what waits, how to answer; no control characters (it reaches terminals). */
export function noticeText(input: NotifyHumanInput, namespace?: string): string {
  const header = input.escalatedTo
    ? `[tfa] ESCALATED to ${input.escalatedTo}: ${input.agent} run ${input.workflowId} still waits for a human (${input.kind}, request ${input.requestId}):`
    : `[tfa] ${input.agent} run ${input.workflowId} waits for a human (${input.kind}, request ${input.requestId}):`;
  const approvals = input.approvals ? [`  ${input.approvals}`] : [];
  const answers = answerLines(input.workflowId, input, '  ', namespace);
  return printable([header, `  ${input.summary}`, ...approvals, ...answers].join('\n'));
}

/** Contacting a human is a side effect like any other (F7), sent through the configured channel. */
export function createNotifyHuman(deps: { channel: NotificationChannel }) {
  return async function notifyHuman(input: NotifyHumanInput): Promise<void> {
    const namespace = activityInfo().workflowNamespace; // the run's, so the printed `temporal` lines reach it
    const commands = answerCommands(input.workflowId, input, namespace);
    await deps.channel.send({ type: 'human_needed', data: { ...input }, text: noticeText(input, namespace), commands });
    log.info('human notified', {
      workflowId: input.workflowId,
      requestId: input.requestId,
      channel: deps.channel.name,
    });
  };
}
