import {
  digestOfShownArgs,
  encodeButtonValue,
  SLACK_BUTTON_ACTIONS,
  SLACK_DECISION_BLOCK,
  type SlackButtonValue,
} from '../../core/slack-buttons';
import { ANSWER_HEADING } from '../../core/waiting';
import { postJson, type Notice, type NotificationChannel } from './channel';

function button(text: string, actionId: string, style: 'primary' | 'danger', value: string): object {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, style, value };
}

/** Approve and Reject, each naming the request and the digest of the arguments shown above them. */
function decisionBlocks(target: SlackButtonValue): object[] {
  const value = encodeButtonValue(target);
  return [
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `request \`${target.requestId}\` · arguments digest \`${target.argsDigest}\`` },
      ],
    },
    {
      type: 'actions',
      block_id: SLACK_DECISION_BLOCK,
      elements: [
        button('Approve', SLACK_BUTTON_ACTIONS.approve, 'primary', value),
        button('Reject', SLACK_BUTTON_ACTIONS.reject, 'danger', value),
      ],
    },
  ];
}

/**
 * Slack incoming-webhook message: the notice, Approve and Reject buttons when `buttons` names an
 * approval request, then the commands to approve or answer as code.
 */
export function slackMessage(
  text: string,
  commands: string[],
  buttons?: SlackButtonValue,
): { text: string; blocks: object[] } {
  const [headline, ...details] = text.split(`\n  ${ANSWER_HEADING}`)[0]!.split('\n');
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${headline}*\n${details.join('\n').trim()}` } },
  ];
  if (buttons) blocks.push(...decisionBlocks(buttons));
  if (commands.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `Answer with:\n\`\`\`${commands.join('\n')}\`\`\`` },
    });
  }
  return { text: headline!, blocks };
}

/** What the buttons of an approval notice name; none for a question, or an ask that shows no arguments. */
export function buttonsFor(notice: Notice): SlackButtonValue | undefined {
  const { kind, workflowId, requestId, summary, argsDigest: sent } = notice.data;
  if ((kind !== 'approval' && kind !== 'budget') || typeof workflowId !== 'string' || typeof requestId !== 'string')
    return undefined;
  // Notices scheduled before the run sent the digest: worked out from the arguments the message shows.
  const argsDigest =
    typeof sent === 'string' ? sent : typeof summary === 'string' ? digestOfShownArgs(summary) : undefined;
  return argsDigest ? { workflowId, requestId, argsDigest } : undefined;
}

export function createSlackChannel(options: { webhookUrl: string }): NotificationChannel {
  return {
    name: 'slack',
    send: (notice) =>
      postJson(options.webhookUrl, JSON.stringify(slackMessage(notice.text, notice.commands, buttonsFor(notice)))),
  };
}
