import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, type Tracing } from '../../../activities/telemetry/tracing';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { traceChat } from '../../../activities/telemetry/gen-ai-spans';

// The exporter's own protobuf definitions (a dependency of the OTLP exporters) decode what it sends.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { opentelemetry } = require('@opentelemetry/otlp-transformer/build/src/generated/root');

const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
let server: http.Server;
let tracing: Tracing | undefined;
const bodies: Array<{ contentType?: string; body: Buffer }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((resolve) => server.close(resolve));
  if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
});

test('by default spans go out as OTLP protobuf, with the GenAI attributes of a model call', async () => {
  tracing = await startTracing('tfa-protobuf-test');
  const completion: ChatCompletion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  };
  await traceChat(tracing, { model: 'gpt-4o-mini', baseURL: 'https://api.openai.com/v1' }, async () => completion);
  await tracing!.shutdown();
  tracing = undefined;

  expect(bodies.map((body) => body.contentType)).toEqual(['application/x-protobuf']);
  const request = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(bodies[0]!.body);
  const [span] = request.resourceSpans[0].scopeSpans[0].spans;
  const attributes = Object.fromEntries(
    span.attributes.map((attribute: any) => [
      attribute.key,
      attribute.value.stringValue ?? Number(attribute.value.intValue),
    ]),
  );
  expect(span.name).toBe('chat gpt-4o-mini');
  expect(attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.id': 'chatcmpl-1',
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.usage.output_tokens': 3,
    'server.address': 'api.openai.com',
    'server.port': 443,
  });
});

test('a model call that throws is a failed span naming the error type, and the error reaches the caller', async () => {
  bodies.length = 0;
  tracing = await startTracing('tfa-protobuf-test');
  const refused = Object.assign(new Error('429 Rate limit reached'), { name: 'RateLimitError' });
  await expect(
    traceChat(tracing, { model: 'gpt-4o-mini', baseURL: 'http://127.0.0.1:11434/v1' }, () => Promise.reject(refused)),
  ).rejects.toBe(refused);
  await tracing!.shutdown();
  tracing = undefined;

  const request = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(bodies[0]!.body);
  const [span] = request.resourceSpans[0].scopeSpans[0].spans;
  expect(span.status).toMatchObject({ code: 2, message: '429 Rate limit reached' }); // STATUS_CODE_ERROR
  expect(span.attributes).toContainEqual(
    expect.objectContaining({ key: 'error.type', value: expect.objectContaining({ stringValue: 'RateLimitError' }) }),
  );
});
