import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  safeEqual,
  signSha256,
  verifySha256Signature,
  verifySlackRequest,
  verifyStandardWebhook,
} from '../../client/gateway/signatures';

const body = Buffer.from('{"zen":"Keep it logically awesome."}');

describe('sha256= signatures (GitHub)', () => {
  it("matches GitHub's HMAC-SHA256 of the raw body", () => {
    expect(signSha256('secret', body)).toBe(`sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`);
    expect(verifySha256Signature('secret', body, signSha256('secret', body))).toBe(true);
  });

  it('refuses another secret, another body, and a malformed header', () => {
    expect(verifySha256Signature('secret', body, signSha256('other', body))).toBe(false);
    expect(verifySha256Signature('secret', Buffer.from(`${body} `), signSha256('secret', body))).toBe(false);
    expect(verifySha256Signature('secret', body, 'sha256=')).toBe(false);
  });

  it('compares strings of any length without throwing', () => {
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'a-much-longer-value')).toBe(false);
  });
});

describe('verifySlackRequest', () => {
  const now = 1_700_000_000;
  const sign = (timestamp: string, secret = 'slack') =>
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const check = (timestamp: string | undefined, signature: string | undefined) =>
    verifySlackRequest({ secret: 'slack', rawBody: body, timestamp, signature, nowSeconds: now });

  it('accepts a fresh v0 signature', () => {
    expect(check(String(now - 10), sign(String(now - 10)))).toEqual({ ok: true });
  });

  it('refuses a request older (or newer) than five minutes, even if correctly signed', () => {
    expect(check(String(now - 301), sign(String(now - 301)))).toMatchObject({ ok: false, code: 'stale_request' });
    expect(check(String(now + 301), sign(String(now + 301)))).toMatchObject({ ok: false, code: 'stale_request' });
    expect(check('yesterday', sign('yesterday'))).toMatchObject({ ok: false, code: 'stale_request' });
  });

  it('refuses a wrong secret and missing headers', () => {
    expect(check(String(now), sign(String(now), 'guess'))).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(check(undefined, sign(String(now)))).toMatchObject({ ok: false, code: 'missing_signature' });
    expect(check(String(now), undefined)).toMatchObject({ ok: false, code: 'missing_signature' });
  });
});

describe('verifyStandardWebhook', () => {
  const secret = `whsec_${Buffer.from('a-standard-webhooks-secret-key').toString('base64')}`;
  const now = 1_700_000_000;
  const signed = (id: string, sentAt: number, payload: Buffer | string = body) => ({
    id,
    timestamp: String(sentAt),
    signature: new Webhook(secret).sign(id, new Date(sentAt * 1000), payload),
  });
  const check = (headers: { id?: string; timestamp?: string; signature?: string }) =>
    verifyStandardWebhook({
      secret,
      rawBody: body,
      nowSeconds: now,
      headers: { id: undefined, timestamp: undefined, signature: undefined, ...headers },
    });

  it('accepts what the standardwebhooks package signs, and names the message id', () => {
    expect(check(signed('msg_1', now - 10))).toEqual({ ok: true, id: 'msg_1' });
  });

  it('accepts a header listing several signatures when one matches (secret rotation)', () => {
    const fresh = signed('msg_2', now);
    expect(check({ ...fresh, signature: `v1,${Buffer.alloc(32).toString('base64')} ${fresh.signature}` })).toEqual({
      ok: true,
      id: 'msg_2',
    });
  });

  it('refuses a message signed more than five minutes from now, even if correctly signed', () => {
    expect(check(signed('msg_3', now - 301))).toMatchObject({ ok: false, code: 'stale_request' });
    expect(check(signed('msg_3', now + 301))).toMatchObject({ ok: false, code: 'stale_request' });
    expect(check({ ...signed('msg_3', now), timestamp: `${now}.5` })).toMatchObject({
      ok: false,
      code: 'stale_request',
    });
  });

  it('refuses a signature moved to another id, timestamp or body, and missing headers', () => {
    const original = signed('msg_4', now);
    expect(check({ ...original, id: 'msg_5' })).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(check({ ...original, timestamp: String(now - 1) })).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(check(signed('msg_4', now, `${body} `))).toMatchObject({ ok: false, code: 'invalid_signature' });
    expect(check({ ...original, signature: original.signature.replace('v1,', 'v2,') })).toMatchObject({
      ok: false,
      code: 'invalid_signature',
    });
    expect(check({ ...original, id: undefined })).toMatchObject({ ok: false, code: 'missing_signature' });
    expect(check({ ...original, timestamp: undefined })).toMatchObject({ ok: false, code: 'missing_signature' });
  });
});
