import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  METADATA_KEY_ID,
  PayloadDecryptionError,
  type EncryptionKey,
} from '../../codec/encryption-codec';
import { clientPayloadCodecs, workerPayloadCodecs } from '../../codec/from-config';
import { parseConfig } from '../../core/config';

const keyA: EncryptionKey = { id: 'a', key: randomBytes(32) };
const keyB: EncryptionKey = { id: 'b', key: randomBytes(32) };
const secret = { comment: 'ship it, the password is hunter2' };
const plaintextPayload = (): Payload => defaultPayloadConverter.toPayload(secret);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

describe('EncryptionCodec', () => {
  test('encrypts a payload whole and decrypts it back to the same payload', async () => {
    const codec = new EncryptionCodec({ keys: [keyA] });
    const [encrypted] = await codec.encode([plaintextPayload()]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![METADATA_KEY_ID])).toBe('a');
    expect(Buffer.from(encrypted!.data!).includes('hunter2')).toBe(false);
    expect(Buffer.from(encrypted!.data!).includes('json/plain')).toBe(false);
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(secret);
  });

  test('encrypts with the first key and decrypts with any listed key (rotation)', async () => {
    const [writtenWithA] = await new EncryptionCodec({ keys: [keyA] }).encode([plaintextPayload()]);
    const rotated = new EncryptionCodec({ keys: [keyB, keyA] });
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([writtenWithA!]))[0]!)).toEqual(secret);
    const [writtenWithB] = await rotated.encode([plaintextPayload()]);
    expect(text(writtenWithB!.metadata![METADATA_KEY_ID])).toBe('b');
  });

  test('passes payloads that are not encrypted through unchanged', async () => {
    const payload = plaintextPayload();
    expect(await new EncryptionCodec({ keys: [keyA] }).decode([payload])).toEqual([payload]);
  });

  test('refuses a payload under an unknown key id, naming the id', async () => {
    const [writtenWithB] = await new EncryptionCodec({ keys: [keyB] }).encode([plaintextPayload()]);
    const decoding = new EncryptionCodec({ keys: [keyA] }).decode([writtenWithB!]);
    await expect(decoding).rejects.toThrow(PayloadDecryptionError);
    await expect(decoding).rejects.toThrow(/key "b": no such key id in TFA_ENCRYPTION_KEYS \(it holds a\)/);
  });

  test('refuses altered ciphertext, a relabelled key id and a key swapped under the same id', async () => {
    const codec = new EncryptionCodec({ keys: [keyA] });
    const [encrypted] = await codec.encode([plaintextPayload()]);
    const altered = Buffer.from(encrypted!.data!);
    altered[20]! ^= 1;
    await expect(codec.decode([{ ...encrypted!, data: altered }])).rejects.toThrow(
      /authentication failed: the ciphertext was altered/,
    );
    const relabelled = new EncryptionCodec({ keys: [keyA, { id: 'b', key: keyA.key }] });
    const asB = { ...encrypted!, metadata: { ...encrypted!.metadata, [METADATA_KEY_ID]: Buffer.from('b') } };
    await expect(relabelled.decode([asB])).rejects.toThrow(/key "b": authentication failed/);
    await expect(new EncryptionCodec({ keys: [{ id: 'a', key: keyB.key }] }).decode([encrypted!])).rejects.toThrow(
      /key "a": authentication failed/,
    );
    await expect(codec.decode([{ ...encrypted!, data: Buffer.alloc(5) }])).rejects.toThrow(/too short/);
  });

  test('a client without keys passes plaintext and names the variable to set for an encrypted payload', async () => {
    const [encrypted] = await new EncryptionCodec({ keys: [keyA] }).encode([plaintextPayload()]);
    const [keyless] = clientPayloadCodecs(parseConfig({}));
    expect(await keyless!.encode([plaintextPayload()])).toEqual([plaintextPayload()]);
    expect(await keyless!.decode([plaintextPayload()])).toEqual([plaintextPayload()]);
    await expect(keyless!.decode([encrypted!])).rejects.toThrow(
      'cannot decrypt a payload encrypted with key "a": TFA_ENCRYPTION_KEYS is not set here',
    );
  });

  test('on a worker, an undecryptable payload passes on still encrypted and is reported, not thrown', async () => {
    const [writtenWithB] = await new EncryptionCodec({ keys: [keyB] }).encode([plaintextPayload()]);
    const warnings: string[] = [];
    const [workerCodec] = workerPayloadCodecs(
      parseConfig({ TFA_ENCRYPTION_KEYS: `a:${keyA.key.toString('base64')}` }),
      (line) => warnings.push(line),
    );
    expect(await workerCodec!.decode([writtenWithB!])).toEqual([writtenWithB]);
    expect(warnings).toEqual([expect.stringContaining('cannot decrypt a payload encrypted with key "b"')]);
  });
});

describe('TFA_ENCRYPTION_KEYS', () => {
  const key = () => randomBytes(32).toString('base64');

  test('reads ids and keys in order; the first encrypts', () => {
    const [first, second] = [key(), key()];
    expect(parseConfig({ TFA_ENCRYPTION_KEYS: ` k2:${first} , k1:${second}` }).TFA_ENCRYPTION_KEYS).toEqual([
      { id: 'k2', base64: first },
      { id: 'k1', base64: second },
    ]);
    expect(parseConfig({}).TFA_ENCRYPTION_KEYS).toBeUndefined();
  });

  test.each([
    ['no id', `${key()}`, /entry 1: its id must be/],
    [
      'a short key',
      `k1:${randomBytes(16).toString('base64')}`,
      /entry 1: key "k1" is not the base64 of exactly 32 bytes/,
    ],
    ['a long key', `k1:${randomBytes(33).toString('base64')}`, /key "k1" is not the base64 of exactly 32 bytes/],
    ['not base64', `k1:${'!'.repeat(43)}=`, /key "k1" is not the base64/],
    ['a repeated id', `k1:${key()},k1:${key()}`, /entry 2: key id "k1" appears twice/],
    ['only commas', ',,', /no key given/],
  ])('refuses %s at start-up, naming the variable and never echoing the key', (_case, value, problem) => {
    const parsing = () => parseConfig({ TFA_ENCRYPTION_KEYS: value });
    expect(parsing).toThrow(/TFA_ENCRYPTION_KEYS/);
    expect(parsing).toThrow(problem);
    expect(parsing).toThrow(/openssl rand -base64 32/);
    const secretPart = value.split(',')[0]!.split(':').pop()!;
    if (secretPart.length > 8) expect(() => parsing()).not.toThrow(secretPart);
  });
});
