/**
 * The payload converter of every tfa worker (worker/create-worker.ts, and the workflow bundle through
 * `payloadConverterPath`). Values encode and decode exactly as with Temporal's default converter; a
 * payload the default cannot decode (an unknown encoding such as json/protobuf, bytes that are not
 * JSON) becomes the undecodable marker of core/undecodable.ts instead of an error. The handlers
 * refuse the marker like any malformed message, so a sender's bad bytes never fail a workflow task.
 * It runs inside the workflow sandbox: pure and deterministic.
 */
import {
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  str,
  type ConverterHint,
  type Payload,
  type PayloadConverter,
  type SerializationContext,
} from '@temporalio/common';
import { undecodablePayload } from '../core/undecodable';

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!raw) return '(none)';
  try {
    return str(raw);
  } catch {
    return '(not text)';
  }
}

class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, context?: SerializationContext, hint?: ConverterHint<T>): Payload {
    return defaultPayloadConverter.toPayload(value, context, hint);
  }

  fromPayload<T>(payload: Payload, context?: SerializationContext, hint?: ConverterHint<T>): T {
    try {
      return defaultPayloadConverter.fromPayload(payload, context, hint);
    } catch {
      return undecodablePayload(encodingOf(payload)) as T;
    }
  }
}

/** The name `payloadConverterPath` modules must export. */
export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
