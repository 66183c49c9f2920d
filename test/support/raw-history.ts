import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type RawPayload = temporal.api.common.v1.IPayload;

/** A run's history as the server stores it: fetched over gRPC with no data converter, so no codec runs. */
export async function rawHistory(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
      nextPageToken,
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

/** The history's bytes as the server keeps them (protobuf), to search for plaintext. */
export function historyBytes(events: temporal.api.history.v1.IHistoryEvent[]): Buffer {
  return Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
}

/** Every Payload in the events, found by shape (an object with `metadata` and `data`). */
export function payloadsIn(value: unknown, found: RawPayload[] = []): RawPayload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && ArrayBuffer.isView(record.data)) {
    found.push(record as RawPayload);
    return found;
  }
  for (const child of Object.values(record)) payloadsIn(child, found);
  return found;
}

/** Payloads as a codec server takes them: protobuf JSON, bytes in base64. */
export function payloadsJson(payloads: RawPayload[]): {
  payloads: { metadata: Record<string, string>; data: string }[];
} {
  const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, base64(value)])),
      data: base64(payload.data),
    })),
  };
}

export function encodingOf(payload: RawPayload): string {
  return Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString();
}

/**
 * The payloads a codec encodes: all but search attributes (plaintext so the server can index them),
 * patch markers and the local-activity marker's bookkeeping detail `data` (the SDK's own, never codec'd).
 */
export function applicationPayloads(events: temporal.api.history.v1.IHistoryEvent[]): RawPayload[] {
  return events.flatMap((event) => {
    if (event.upsertWorkflowSearchAttributesEventAttributes) return [];
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch') return [];
    if (marker?.markerName === 'core_local_activity')
      return payloadsIn({ ...marker, details: { ...marker.details, data: null } });
    const started = event.workflowExecutionStartedEventAttributes;
    return payloadsIn(
      started ? { ...event, workflowExecutionStartedEventAttributes: { ...started, searchAttributes: null } } : event,
    );
  });
}
