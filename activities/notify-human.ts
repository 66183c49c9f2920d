import { log } from '@temporalio/activity';

export interface NotifyHumanInput {
  workflowId: string;
  agent: string;
  requestId: string;
  /** approval: approve/reject; input and escalation: reply. */
  kind: 'approval' | 'input' | 'escalation';
  /** One line saying what is asked: the tool and its exact arguments, or the question. */
  summary: string;
}

/** The exact commands a person runs to answer, with our CLI and with the Temporal CLI alone. */
export function answerCommands(input: NotifyHumanInput): string[] {
  const id = input.workflowId;
  const signal = (name: string, body: object) =>
    `temporal workflow signal --workflow-id ${id} --name ${name} --input '${JSON.stringify({ requestId: input.requestId, ...body })}'`;
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

/** Contacting a human is a side effect like any other (F7): the console channel prints how to answer. */
export function createNotifyHuman(deps: { write: (text: string) => void }) {
  return async function notifyHuman(input: NotifyHumanInput): Promise<void> {
    const lines = [
      `[tfa] ${input.agent} run ${input.workflowId} waits for a human (${input.kind}, request ${input.requestId}):`,
      `  ${input.summary}`,
      '  answer with one of:',
      ...answerCommands(input).map((command) => `    ${command}`),
    ];
    deps.write(lines.join('\n'));
    log.info('human notified', { workflowId: input.workflowId, requestId: input.requestId, channel: 'console' });
  };
}
