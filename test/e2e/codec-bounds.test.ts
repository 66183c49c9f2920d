// Trust model: every outside input is bounded. A bearer of any token (a person's own included) may call
// the codec: 4 MiB of tiny payloads must not cost the gateway seconds of CPU and hundreds of MB.
import { randomBytes } from 'node:crypto';
import { EncryptionCodec } from '../../codec/encryption-codec';
import { CODEC_MAX_PAYLOADS } from '../../client/gateway/codec-routes';
import { call, startTestGateway, TEST_TOKEN, type TestGateway } from '../client/gateway-fixture';

let gateway: TestGateway;
afterEach(async () => gateway?.close());

test("a codec request holds at most CODEC_MAX_PAYLOADS payloads: 400,000 empty ones in 1.2 MB are refused with 400, a history page's worth is served", async () => {
  const codec = new EncryptionCodec({ keys: [{ id: 'a', key: randomBytes(32) }] });
  gateway = await startTestGateway({ taskQueue: 'codec-bounds', token: TEST_TOKEN, codec });
  const flood = await call(gateway, '/codec/decode', {
    body: { payloads: Array.from({ length: 400_000 }, () => ({})) },
  });
  expect(flood).toMatchObject({
    status: 400,
    body: { error: { code: 'invalid_body', message: expect.stringContaining(String(CODEC_MAX_PAYLOADS)) } },
  });
  const page = await call(gateway, '/codec/decode', {
    body: { payloads: Array.from({ length: CODEC_MAX_PAYLOADS }, () => ({})) },
  });
  expect(page.status).toBe(200);
  expect(page.body.payloads).toHaveLength(CODEC_MAX_PAYLOADS);
});
