import { signSha256, TFA_SIGNATURE_HEADER } from '../../client/gateway/signatures';
import { postJson, type NotificationChannel } from './channel';

/** POSTs the notice as JSON, signed with HMAC-SHA256 in the X-Tfa-Signature-256 header (the gateway's own scheme). */
export function createWebhookChannel(options: { url: string; secret: string }): NotificationChannel {
  return {
    name: 'webhook',
    async send(notice) {
      const body = JSON.stringify({ type: notice.type, ...notice.data, text: notice.text, commands: notice.commands });
      await postJson(options.url, body, { [TFA_SIGNATURE_HEADER]: signSha256(options.secret, body) });
    },
  };
}
