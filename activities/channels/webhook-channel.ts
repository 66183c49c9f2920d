import { createHmac } from 'node:crypto';
import { postJson, type NotificationChannel } from './channel';

export const WEBHOOK_SIGNATURE_HEADER = 'x-tfa-signature-256';

/** `sha256=<hex>` HMAC of the exact body, as GitHub does, so receivers can reuse their verification code. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs the notice as JSON, signed with HMAC-SHA256 in the X-Tfa-Signature-256 header. */
export function createWebhookChannel(options: { url: string; secret: string }): NotificationChannel {
  return {
    name: 'webhook',
    async send(notice) {
      const body = JSON.stringify({ type: notice.type, ...notice.data, text: notice.text, commands: notice.commands });
      await postJson(options.url, body, { [WEBHOOK_SIGNATURE_HEADER]: signBody(body, options.secret) });
    },
  };
}
