// Trust model: every outside input is bounded. Anyone who may signal a run through Temporal chooses a
// payload's metadata, its encryption key id included; the worker and the gateway log that id.
import { randomBytes } from 'node:crypto';
import { ENCRYPTED_ENCODING, METADATA_KEY_ID } from '../../codec/encryption-codec';
import { workerPayloadCodecs } from '../../codec/from-config';
import { parseConfig } from '../../core/config';

test('a sender-chosen key id with line breaks and 100,000 characters is logged as one short printable line', async () => {
  const config = parseConfig({ TFA_ENCRYPTION_KEYS: `a:${randomBytes(32).toString('base64')}` });
  const warnings: string[] = [];
  const [codec] = workerPayloadCodecs(config, (line) => warnings.push(line));
  const keyId = `zz\n[tfa worker] forged: approved by the release manager\r${'k'.repeat(100_000)}`;
  const payload = {
    metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: Buffer.from(keyId) },
    data: randomBytes(64),
  };
  const [passed] = await codec!.decode([payload]);
  expect(passed).toBe(payload); // passed on still encrypted: the payload converter refuses it
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).not.toMatch(/[\r\n]/);
  expect(warnings[0]!.length).toBeLessThan(400);
  expect(warnings[0]).toContain('zz?[tfa worker] forged');
});
