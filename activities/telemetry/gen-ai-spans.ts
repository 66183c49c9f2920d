// Model calls and tool runs as spans named and attributed by OpenTelemetry's semantic conventions
// for generative AI (`chat <model>`, `execute_tool <tool>`, gen_ai.*). Without tracing they are plain calls.
import type { Attributes } from '@opentelemetry/api';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { Tracing } from './tracing';

/** Where the request went: server.address and server.port of the endpoint's base URL. */
function serverAttributes(baseURL: string): Attributes {
  try {
    const url = new URL(baseURL);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { 'server.address': url.hostname, 'server.port': port };
  } catch {
    return {};
  }
}

/** What the endpoint answered: its response id and model, why it stopped, and the tokens it reported. */
export function chatResponseAttributes(completion: ChatCompletion): Attributes {
  const usage = completion.usage;
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  return {
    'gen_ai.response.id': completion.id,
    'gen_ai.response.model': completion.model,
    'gen_ai.response.finish_reasons': completion.choices.map((choice) => choice.finish_reason),
    ...(usage && {
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
    }),
    ...(cached !== undefined && { 'gen_ai.usage.cache_read.input_tokens': cached }),
  };
}

/** One Chat Completions call as a `chat <model>` client span. */
export function traceChat(
  tracing: Tracing | undefined,
  request: { model: string; baseURL: string },
  call: () => Promise<ChatCompletion>,
): Promise<ChatCompletion> {
  if (!tracing) return call();
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': request.model,
    ...serverAttributes(request.baseURL),
  };
  return tracing.inSpan(`chat ${request.model}`, 'client', attributes, async (span) => {
    const completion = await call();
    span.setAttributes(chatResponseAttributes(completion));
    return completion;
  });
}

/** One tool's executor as an `execute_tool <tool>` span carrying the model's call id. */
export function traceToolRun<T>(
  tracing: Tracing | undefined,
  tool: { name: string; callId: string },
  run: () => Promise<T>,
): Promise<T> {
  if (!tracing) return run();
  const attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool.name,
    'gen_ai.tool.call.id': tool.callId,
    'gen_ai.tool.type': 'function',
  };
  return tracing.inSpan(`execute_tool ${tool.name}`, 'internal', attributes, () => run());
}
