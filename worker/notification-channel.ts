import type { NotificationChannel } from '../activities/channels/channel';
import { createConsoleChannel } from '../activities/channels/console-channel';
import { createSlackChannel } from '../activities/channels/slack-channel';
import { createWebhookChannel } from '../activities/channels/webhook-channel';
import type { TfaConfig } from '../core/config';

/** The configured channel; a channel without its settings is a start-up error naming them. */
export function channelFromConfig(config: TfaConfig, write: (text: string) => void): NotificationChannel {
  switch (config.TFA_NOTIFY_CHANNEL) {
    case 'console':
      return createConsoleChannel(write);
    case 'webhook':
      if (!config.TFA_NOTIFY_WEBHOOK_URL || !config.TFA_NOTIFY_WEBHOOK_SECRET) {
        throw new Error(
          'TFA_NOTIFY_CHANNEL=webhook needs TFA_NOTIFY_WEBHOOK_URL and TFA_NOTIFY_WEBHOOK_SECRET (a Standard Webhooks secret, whsec_...).',
        );
      }
      return createWebhookChannel({ url: config.TFA_NOTIFY_WEBHOOK_URL, secret: config.TFA_NOTIFY_WEBHOOK_SECRET });
    case 'slack':
      if (!config.TFA_SLACK_WEBHOOK_URL) throw new Error('TFA_NOTIFY_CHANNEL=slack needs TFA_SLACK_WEBHOOK_URL.');
      return createSlackChannel({ webhookUrl: config.TFA_SLACK_WEBHOOK_URL });
  }
}
