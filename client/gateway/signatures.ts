import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality; hashing first hides the length too. */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function hmacSha256Hex(secret: string, data: Buffer | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** Where tfa's own signature travels: events sent to the gateway and notices our webhook channel sends. */
export const TFA_SIGNATURE_HEADER = 'x-tfa-signature-256';

/** GitHub's (and tfa's) `sha256=<hex>` header over the raw body. */
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
    return { ok: false, code: 'missing_signature', message: 'X-Slack-Signature and X-Slack-Request-Timestamp headers are required' };
  }
  const sentAt = Number(timestamp);
  if (!Number.isInteger(sentAt) || Math.abs(options.nowSeconds - sentAt) > SLACK_MAX_AGE_SECONDS) {
    return { ok: false, code: 'stale_request', message: `X-Slack-Request-Timestamp ${timestamp} is more than 5 minutes from now: replays are refused` };
  }
  if (!safeEqual(signature, signSlack(options.secret, timestamp, options.rawBody))) {
    return { ok: false, code: 'invalid_signature', message: 'X-Slack-Signature does not match: check TFA_SLACK_SIGNING_SECRET against the Slack app\'s signing secret' };
  }
  return { ok: true };
}
