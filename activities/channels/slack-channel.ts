import { ANSWER_HEADING } from '../../core/waiting';
import { postJson, type NotificationChannel } from './channel';

/** Slack incoming-webhook message: the notice, then the commands to approve or answer as code. */
export function slackMessage(text: string, commands: string[]): { text: string; blocks: object[] } {
  const [headline, ...details] = text.split(`\n  ${ANSWER_HEADING}`)[0]!.split('\n');
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${headline}*\n${details.join('\n').trim()}` } },
  ];
  if (commands.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `Answer with:\n\`\`\`${commands.join('\n')}\`\`\`` },
    });
  }
  return { text: headline!, blocks };
}

export function createSlackChannel(options: { webhookUrl: string }): NotificationChannel {
  return {
    name: 'slack',
    send: (notice) => postJson(options.webhookUrl, JSON.stringify(slackMessage(notice.text, notice.commands))),
  };
}
