import { slackMessage } from '../../../activities/channels/slack-channel';
import { signSha256 } from '../../../client/gateway/signatures';
import { noticeText, type NotifyHumanInput } from '../../../activities/notify-human';
import { parseConfig } from '../../../core/config';
import { channelFromConfig } from '../../../worker/notification-channel';

const approval: NotifyHumanInput = {
  workflowId: 'deploy-main',
  agent: 'deploybot',
  requestId: 'req-1',
  kind: 'approval',
  summary: 'deploy_to_production {"ref":"main"}',
};

test('the notice names the run, the exact call and every way to answer', () => {
  expect(noticeText(approval)).toBe(
    [
      '[tfa] deploybot run deploy-main waits for a human (approval, request req-1):',
      '  deploy_to_production {"ref":"main"}',
      '  answer with one of:',
      '    npm run tfa -- approve deploy-main --by <you>',
      '    npm run tfa -- reject deploy-main --by <you> --reason "<why>"',
      `    temporal workflow signal --workflow-id deploy-main --name approve --input '{"requestId":"req-1","by":"<you>"}'`,
      `    temporal workflow signal --workflow-id deploy-main --name reject --input '{"requestId":"req-1","by":"<you>","reason":"<why>"}'`,
    ].join('\n'),
  );
  expect(noticeText({ ...approval, escalatedTo: 'oncall' })).toMatch(/^\[tfa\] ESCALATED to oncall: /);
});

test('the slack message is an incoming-webhook payload with the request and the commands', () => {
  const message = slackMessage(noticeText(approval), ['cmd one', 'cmd two']);
  expect(message.text).toBe('[tfa] deploybot run deploy-main waits for a human (approval, request req-1):');
  expect(message.blocks).toEqual([
    { type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('deploy_to_production {"ref":"main"}') } },
    { type: 'section', text: { type: 'mrkdwn', text: 'Answer with:\n```cmd one\ncmd two```' } },
  ]);
});

test('webhook signatures are sha256=<hex HMAC of the exact body>', () => {
  expect(signSha256('secret', '{"a":1}')).toBe('sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494');
  expect(signSha256('secret', '{"a":1}')).not.toBe(signSha256('secret', '{"a":2}'));
});

test('a channel without its settings stops start-up naming the missing variables', () => {
  expect(() => channelFromConfig(parseConfig({ TFA_NOTIFY_CHANNEL: 'webhook' }), () => {})).toThrow('TFA_NOTIFY_WEBHOOK_URL and TFA_NOTIFY_WEBHOOK_SECRET');
  expect(() => channelFromConfig(parseConfig({ TFA_NOTIFY_CHANNEL: 'slack' }), () => {})).toThrow('TFA_SLACK_WEBHOOK_URL');
  expect(channelFromConfig(parseConfig({}), () => {}).name).toBe('console');
});
