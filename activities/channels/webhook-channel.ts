import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { postJson, type NotificationChannel } from './channel';

/**
 * The notice's Standard Webhooks message id: derived from the body, so every retry of one notice
 * carries the same id and a receiver can act on it once.
 */
export function noticeMessageId(body: string): string {
  return `msg_${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

/**
 * POSTs the notice as JSON, signed the Standard Webhooks way (standardwebhooks.com): headers
 * webhook-id, webhook-timestamp (Unix seconds) and webhook-signature (`v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`) with the `whsec_` secret.
 */
export function createWebhookChannel(options: {
  url: string;
  secret: string;
  now?: () => number;
}): NotificationChannel {
  const signer = new Webhook(options.secret);
  const now = options.now ?? Date.now;
  return {
    name: 'webhook',
    async send(notice) {
      const body = JSON.stringify({ type: notice.type, ...notice.data, text: notice.text, commands: notice.commands });
      const id = noticeMessageId(body);
      const sentAt = new Date(Math.floor(now() / 1000) * 1000);
      await postJson(options.url, body, {
        'webhook-id': id,
        'webhook-timestamp': String(sentAt.getTime() / 1000),
        'webhook-signature': signer.sign(id, sentAt, body),
      });
    },
  };
}
