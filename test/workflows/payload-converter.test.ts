import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { undecodablePayload } from '../../core/undecodable';
import { payloadConverter } from '../../workflows/payload-converter';

const encoded = (encoding: string, data: string): Payload => ({
  metadata: { encoding: Buffer.from(encoding) },
  data: Buffer.from(data),
});

describe("the workers' payload converter", () => {
  it.each([
    ['a JSON object', { by: 'alice', nested: { list: [1, 'two', null] } }],
    ['a string', 'deploy main'],
    ['null', null],
    ['undefined', undefined],
    ['bytes', new Uint8Array([1, 2, 3])],
  ])("encodes and decodes %s exactly as Temporal's default converter", (_name, value) => {
    const payload = payloadConverter.toPayload(value);
    expect(payload).toEqual(defaultPayloadConverter.toPayload(value));
    expect(payloadConverter.fromPayload(payload)).toEqual(defaultPayloadConverter.fromPayload(payload));
  });

  it('turns an unknown encoding into the undecodable marker instead of throwing', () => {
    expect(payloadConverter.fromPayload(encoded('json/protobuf', '{"by":"alice"}'))).toEqual(
      undecodablePayload('json/protobuf'),
    );
  });

  it('turns bytes that are not JSON, or a payload without metadata, into the marker', () => {
    expect(payloadConverter.fromPayload(encoded('json/plain', '{"by":'))).toEqual(undecodablePayload('json/plain'));
    expect(payloadConverter.fromPayload({ data: Buffer.from('x') })).toEqual(undecodablePayload('(none)'));
  });
});
