import { createHmac } from 'node:crypto';
import { safeEqual, signSha256, verifySha256Signature, verifySlackRequest } from '../../client/gateway/signatures';

const body = Buffer.from('{"zen":"Keep it logically awesome."}');

describe('sha256= signatures (GitHub, events)', () => {
  it('matches GitHub\'s HMAC-SHA256 of the raw body', () => {
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
  const sign = (timestamp: string, secret = 'slack') => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
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
