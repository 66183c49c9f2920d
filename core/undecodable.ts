/**
 * What a handler receives in place of a payload the worker could not decode (an unknown encoding,
 * bytes that are not JSON). The payload converter (workflows/payload-converter.ts) makes it; every
 * message parser refuses it by name, so a sender's bad bytes become a refusal, never a failed task.
 */
export const UNDECODABLE_PAYLOAD_KEY = '__tfaUndecodablePayload';

/** Longest encoding name a refusal repeats: the name is sender-controlled metadata. */
const MAX_ENCODING_CHARS = 64;

export interface UndecodablePayload {
  readonly [UNDECODABLE_PAYLOAD_KEY]: string;
}

/** The marker for a payload whose `encoding` metadata said `encoding`; the name is cut and made printable. */
export function undecodablePayload(encoding: string): UndecodablePayload {
  const printable = encoding.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const name = printable.length > MAX_ENCODING_CHARS ? `${printable.slice(0, MAX_ENCODING_CHARS)}…` : printable;
  return { [UNDECODABLE_PAYLOAD_KEY]: name || '(none)' };
}

/** The refusal reason for a marker ("undecodable payload: json/protobuf"), or null for any other value. */
export function undecodableReason(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const encoding = (raw as Record<string, unknown>)[UNDECODABLE_PAYLOAD_KEY];
  return typeof encoding === 'string' ? `undecodable payload: ${encoding.slice(0, MAX_ENCODING_CHARS + 1)}` : null;
}
