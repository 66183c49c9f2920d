import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Constant-time string equality; hashing first hides the length too. */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function hmacSha256Hex(secret: string, data: Buffer | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** GitHub's `sha256=<hex>` header over the raw body. */
export function signSha256(secret: string, rawBody: Buffer | string): string {
  return `sha256=${hmacSha256Hex(secret, rawBody)}`;
}

export function verifySha256Signature(secret: string, rawBody: Buffer, header: string): boolean {
  return safeEqual(header.trim(), signSha256(secret, rawBody));
}

/** Slack's `v0=<hex>` over `v0:<timestamp>:<raw body>`. */
export function signSlack(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${hmacSha256Hex(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(rawBody)]))}`;
}

/** Slack's replay window: a request signed more than five minutes away from now is refused. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export type SlackCheck = { ok: true } | { ok: false; code: string; message: string };

export function verifySlackRequest(options: {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
}): SlackCheck {
  const { timestamp, signature } = options;
  if (!timestamp || !signature) {
    return {
      ok: false,
      code: 'missing_signature',
      message: 'X-Slack-Signature and X-Slack-Request-Timestamp headers are required',
    };
  }
  const sentAt = Number(timestamp);
  if (!Number.isInteger(sentAt) || Math.abs(options.nowSeconds - sentAt) > SLACK_MAX_AGE_SECONDS) {
    return {
      ok: false,
      code: 'stale_request',
      message: `X-Slack-Request-Timestamp ${timestamp} is more than 5 minutes from now: replays are refused`,
    };
  }
  if (!safeEqual(signature, signSlack(options.secret, timestamp, options.rawBody))) {
    return {
      ok: false,
      code: 'invalid_signature',
      message:
        "X-Slack-Signature does not match: check TFA_SLACK_SIGNING_SECRET against the Slack app's signing secret",
    };
  }
  return { ok: true };
}

/** Standard Webhooks' replay window: a message whose webhook-timestamp is further from now is refused. */
export const STANDARD_WEBHOOK_MAX_AGE_SECONDS = 5 * 60;

/** A Standard Webhooks message's three headers, as received. */
export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type StandardWebhookCheck = { ok: true; id: string } | { ok: false; code: string; message: string };

/**
 * Checks `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, space-separated
 * when several) and the timestamp window against the caller's clock; the package's own verify reads
 * the wall clock, so only its signing is used here.
 */
export function verifyStandardWebhook(options: {
  secret: string;
  rawBody: Buffer;
  headers: StandardWebhookHeaders;
  nowSeconds: number;
}): StandardWebhookCheck {
  const { id, timestamp, signature } = options.headers;
  if (!id || !timestamp || !signature) {
    return {
      ok: false,
      code: 'missing_signature',
      message: 'webhook-id, webhook-timestamp and webhook-signature headers are required (Standard Webhooks)',
    };
  }
  const sentAt = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isInteger(sentAt) || Math.abs(options.nowSeconds - sentAt) > STANDARD_WEBHOOK_MAX_AGE_SECONDS) {
    return {
      ok: false,
      code: 'stale_request',
      message: `webhook-timestamp ${timestamp} is not within 5 minutes of now: replays are refused`,
    };
  }
  const expected = new Webhook(options.secret).sign(id, new Date(sentAt * 1000), options.rawBody).split(',')[1]!;
  const matches = signature.split(' ').some((versioned) => {
    const [version, given] = versioned.split(',');
    return version === 'v1' && given !== undefined && safeEqual(given, expected);
  });
  if (!matches) {
    return {
      ok: false,
      code: 'invalid_signature',
      message:
        'webhook-signature does not match "<webhook-id>.<webhook-timestamp>.<body>" signed with TFA_EVENTS_SECRET',
    };
  }
  return { ok: true, id };
}
