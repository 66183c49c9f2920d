import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carried it, with attribute values unwrapped. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** Start time, nanoseconds since the epoch. */
  start: bigint;
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

function unwrap(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(unwrap);
  return undefined;
}

/** OTLP JSON carries a 64-bit time as a decimal string, or as {low, high} halves. */
function nanos(value: string | number | { low: number; high: number }): bigint {
  if (typeof value === 'object') return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return BigInt(value);
}

const attributesOf = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, unwrap(value)]));

/** The spans of one ExportTraceServiceRequest in OTLP's JSON encoding (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
function spansOf(body: any): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans: any) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope: any) =>
      (scope.spans ?? []).map((span: any): ReceivedSpan => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        start: nanos(span.startTimeUnixNano),
      })),
    );
  });
}

/** A real OTLP/HTTP trace receiver on a loopback port: accepts POST /v1/traces in JSON and keeps every span. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((request, response) => {
    if (
      request.method !== 'POST' ||
      request.url !== '/v1/traces' ||
      request.headers['content-type'] !== 'application/json'
    ) {
      response.writeHead(415).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      spans.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The spans as an indented tree, children in start order; `show` picks attributes to print. */
export function renderSpanTree(spans: ReceivedSpan[], show: (span: ReceivedSpan) => string = () => ''): string {
  const lines: string[] = [];
  const visit = (span: ReceivedSpan, depth: number) => {
    const extra = show(span);
    lines.push(`${'  '.repeat(depth)}${span.name}${extra && `  ${extra}`}`);
    const children = spans.filter((candidate) => candidate.parentSpanId === span.spanId);
    for (const child of children.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)))
      visit(child, depth + 1);
  };
  for (const root of spans.filter((span) => !span.parentSpanId)) visit(root, 0);
  return lines.join('\n');
}
