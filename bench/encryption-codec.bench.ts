// `npx tsx bench/encryption-codec.bench.ts`: what TFA_ENCRYPTION_KEYS costs per payload (issue 16, item 4):
// bytes added to each payload in history, and AES-256-GCM encode/decode time in one process, for
// payloads the size of a signal, a tool result and a model input. Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec } from '../codec/encryption-codec';

const SIZES = [200, 4_000, 32_000];
const ROUNDS = 2_000;

const serializedBytes = (payload: temporal.api.common.v1.IPayload) =>
  temporal.api.common.v1.Payload.encode(payload).finish().length;
const microsEach = (start: bigint) => Number(process.hrtime.bigint() - start) / 1_000 / ROUNDS;

async function main(): Promise<void> {
  const codec = new EncryptionCodec({ keys: [{ id: 'k1', key: randomBytes(32) }] });
  console.log('| JSON text | payload bytes | encrypted bytes | encode µs | decode µs |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const size of SIZES) {
    const payload = defaultPayloadConverter.toPayload({ text: 'x'.repeat(size) });
    const batch = Array.from({ length: ROUNDS }, () => payload);
    await codec.decode(await codec.encode(batch.slice(0, 200))); // warm up the JIT and the cipher
    const encodeStart = process.hrtime.bigint();
    const encrypted = await codec.encode(batch);
    const encodeMicros = microsEach(encodeStart);
    const decodeStart = process.hrtime.bigint();
    await codec.decode(encrypted);
    const decodeMicros = microsEach(decodeStart);
    console.log(
      `| ${size.toLocaleString('en')} chars | ${serializedBytes(payload)} | ${serializedBytes(encrypted[0]!)} | ${encodeMicros.toFixed(1)} | ${decodeMicros.toFixed(1)} |`,
    );
  }
}

void main();
