import { slackMessage } from '../../../activities/channels/slack-channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createWebhookChannel } from '../../../activities/channels/webhook-channel';
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
      '    tfa approve deploy-main --request-id req-1 --by <you>',
      '    tfa reject deploy-main --request-id req-1 --by <you> --reason "<why>"',
      '    temporal workflow signal --workflow-id deploy-main --name approve --input "$(tfa sign approve deploy-main --request-id req-1 --by <you>)"',
      `    temporal workflow signal --workflow-id deploy-main --name reject --input "$(tfa sign reject deploy-main --request-id req-1 --by <you> --reason '<why>')"`,
      '    /tfa approve deploy-main req-1',
      '    /tfa reject deploy-main req-1 <why>',
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

test('the webhook channel signs each notice the Standard Webhooks way, with the same webhook-id on every retry', async () => {
  const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  const received: Array<{ headers: Record<string, string>; raw: Buffer }> = [];
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers as Record<string, string>, raw: Buffer.concat(chunks) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    let clock = Date.parse('2026-06-01T12:00:00Z');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const channel = createWebhookChannel({ url, secret, now: () => clock });
    const notice = { type: 'human_needed' as const, data: { ...approval }, text: noticeText(approval), commands: [] };
    await channel.send(notice);
    clock += 30_000;
    await channel.send(notice);
    await channel.send({ ...notice, data: { ...approval, requestId: 'req-2' } });
    const [first, retry, other] = received;
    expect(first!.headers['webhook-timestamp']).toBe(String(Date.parse('2026-06-01T12:00:00Z') / 1000));
    expect(first!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(other!.headers['webhook-id']).not.toBe(first!.headers['webhook-id']);
    // The signature covers "<webhook-id>.<webhook-timestamp>.<body>" as the package computes it.
    expect(retry!.headers['webhook-signature']).toBe(
      new Webhook(secret).sign(retry!.headers['webhook-id']!, new Date(clock), retry!.raw),
    );
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('a channel without its settings stops start-up naming the missing variables', () => {
  expect(() => channelFromConfig(parseConfig({ TFA_NOTIFY_CHANNEL: 'webhook' }), () => {})).toThrow(
    'TFA_NOTIFY_WEBHOOK_URL and TFA_NOTIFY_WEBHOOK_SECRET',
  );
  expect(() => channelFromConfig(parseConfig({ TFA_NOTIFY_CHANNEL: 'slack' }), () => {})).toThrow(
    'TFA_SLACK_WEBHOOK_URL',
  );
  expect(channelFromConfig(parseConfig({}), () => {}).name).toBe('console');
});
