/**
 * A sender's payload converter that labels every JSON payload `json/protobuf`, an encoding tfa's
 * workers do not decode: what `temporal workflow signal --input-meta encoding=json/protobuf` sends,
 * for messages the Temporal CLI cannot send that way (the `decide` update). Test-only.
 */
import {
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type Payload,
  type PayloadConverter,
} from '@temporalio/common';

const JSON_PLAIN = 'json/plain';
const MISLABEL = 'json/protobuf';

class MislabellingPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    const payload = defaultPayloadConverter.toPayload(value);
    const isJson = Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() === JSON_PLAIN;
    return isJson
      ? { ...payload, metadata: { ...payload.metadata, [METADATA_ENCODING_KEY]: Buffer.from(MISLABEL) } }
      : payload;
  }

  fromPayload<T>(payload: Payload): T {
    return defaultPayloadConverter.fromPayload(payload);
  }
}

export const payloadConverter: PayloadConverter = new MislabellingPayloadConverter();
