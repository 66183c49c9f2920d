/**
 * A SIMULATED model: a real HTTP server (node:http) that speaks the OpenAI Chat
 * Completions protocol but is NOT an LLM. It replays a script of canned replies
 * (tool calls, text, HTTP errors, malformed bodies, delays) and, once the script
 * is used up, asks an optional deterministic responder. Tests and the offline
 * demo point `new OpenAI({ baseURL })` at it so the real SDK and HTTP path run.
 *
 * Every response says it is simulated: `model` is "scripted-model (simulated,
 * not an LLM)" unless the request named a model, and `system_fingerprint` is
 * always "scripted". Its `usage` is simulated too: o200k_base counts of what the
 * request carried, with simulated prompt caching (simulated-usage.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUsageSimulator } from './simulated-usage';

export { deploybotDemoResponder } from './demo-responder';

type ToolCallSpec = { name: string; arguments: Record<string, unknown> | string };

export type ScriptedReply =
  | { toolCall: ToolCallSpec } // string arguments = raw text, lets a test send malformed JSON
  | { toolCalls: ToolCallSpec[] } // several calls in one message
  | { text: string } // assistant message with no tool call
  | { status: number; body?: unknown; headers?: Record<string, string> } // HTTP error reply; OpenAI-style error JSON unless `body` is given
  | { malformedBody: true } // 200 with a body that is not JSON
  | { delayMs: number; then: ScriptedReply } // wait (for timeout tests), then reply
  | { waitFor: Promise<unknown>; then: ScriptedReply }; // hold the reply until the test says so (no clock)

/** A reply that calls one tool; string `args` are sent as they are (malformed JSON for fault tests). */
export function callTool(name: string, args: ToolCallSpec['arguments']): ScriptedReply {
  return { toolCall: { name, arguments: args } };
}

/** A request body: whatever JSON a client sent; tests and responders read its fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ChatBody = any;

/** Every request whose body parsed as JSON, in arrival order (including ones then refused with 400). */
export interface ChatRequestRecord {
  body: ChatBody;
  headers: Record<string, string | string[] | undefined>;
}

export type ScriptedResponder = (request: {
  messages: Array<{ role: string; content: unknown }>;
  tools: Array<{ type: string; function: { name: string } }>;
  body: ChatBody;
}) => ScriptedReply;

export interface ScriptedModelServer {
  /** e.g. http://127.0.0.1:PORT/v1, what you pass to `new OpenAI({ baseURL })`. */
  readonly baseURL: string;
  readonly requests: ChatRequestRecord[];
  /** Appends replies to the script. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Scripted replies not yet consumed (the responder is not counted). */
  remaining(): number;
  close(): Promise<void>;
}

export const SIMULATED_MODEL_NAME = 'scripted-model (simulated, not an LLM)';
const SYSTEM_FINGERPRINT = 'scripted';
const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);

const ERROR_TYPES: Record<number, { type: string; code: string }> = {
  400: { type: 'invalid_request_error', code: 'invalid_request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: 'permission_denied' },
  404: { type: 'invalid_request_error', code: 'not_found' },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
};

export function openAIErrorBody(
  status: number,
  message: string,
): { error: { message: string; type: string; code: string } } {
  const known = ERROR_TYPES[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: `http_${status}`,
  };
  return { error: { message, ...known } };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.writableEnded || response.destroyed) return; // the client gave up (e.g. its timeout fired)
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

interface CompletionContext {
  requestBody: ChatBody;
  /** The simulated `usage` of this request and reply (simulated-usage.ts). */
  usageOf: (requestBody: ChatBody, reply: unknown) => unknown;
  nextCallId: () => string;
  sequence: number;
}

function toToolCallMessage(calls: ToolCallSpec[], context: CompletionContext) {
  return {
    role: 'assistant' as const,
    content: null,
    refusal: null,
    tool_calls: calls.map((call) => ({
      id: context.nextCallId(),
      type: 'function' as const,
      function: {
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    })),
  };
}

/** Builds a `chat.completion` object for a tool-call or text reply. */
function buildCompletion(reply: { toolCalls: ToolCallSpec[] } | { text: string }, context: CompletionContext) {
  const message =
    'text' in reply
      ? { role: 'assistant' as const, content: reply.text, refusal: null }
      : toToolCallMessage(reply.toolCalls, context);
  const requestedModel = context.requestBody.model;
  return {
    id: `chatcmpl-scripted-${context.sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof requestedModel === 'string' && requestedModel !== '' ? requestedModel : SIMULATED_MODEL_NAME,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
    usage: context.usageOf(context.requestBody, message),
  };
}

/** Why a request body cannot be served, or null when it can. */
function invalidRequestReason(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'request body must be a JSON object';
  const { messages, stream } = body as { messages?: unknown; stream?: unknown };
  if (!Array.isArray(messages)) return "request body must have a 'messages' array";
  if (stream === true) return 'scripted model server does not support streaming';
  return null;
}

export async function startScriptedModelServer(
  options: { script?: ScriptedReply[]; responder?: ScriptedResponder; port?: number; host?: string } = {},
): Promise<ScriptedModelServer> {
  const script: ScriptedReply[] = [...(options.script ?? [])];
  const requests: ChatRequestRecord[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  let servedCount = 0;
  let toolCallCounter = 0;
  const usageOf = createUsageSimulator();

  /** Next scripted reply, else the responder's, else null (script exhausted). */
  function takeReply(body: ChatBody): ScriptedReply | null {
    const scripted = script.shift();
    if (scripted) return scripted;
    if (!options.responder) return null;
    return options.responder({ messages: body.messages, tools: Array.isArray(body.tools) ? body.tools : [], body });
  }

  function sendReply(response: ServerResponse, reply: ScriptedReply, context: CompletionContext): void {
    if ('delayMs' in reply) {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        sendReply(response, reply.then, context);
      }, reply.delayMs);
      pendingTimers.add(timer);
      // If the client aborts (its own timeout), stop waiting so nothing lingers.
      response.on('close', () => {
        clearTimeout(timer);
        pendingTimers.delete(timer);
      });
      return;
    }
    if ('waitFor' in reply) {
      void reply.waitFor.then(() => sendReply(response, reply.then, context));
      return;
    }
    if ('status' in reply) {
      const body = reply.body ?? openAIErrorBody(reply.status, `scripted HTTP ${reply.status} error (simulated)`);
      return sendJson(response, reply.status, body, reply.headers);
    }
    if ('malformedBody' in reply) return sendJson(response, 200, '{"this is": not JSON from the scripted model');
    const normalized = 'toolCall' in reply ? { toolCalls: [reply.toolCall] } : reply;
    sendJson(response, 200, buildCompletion(normalized, context));
  }

  async function handleChatRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: ChatBody;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      return sendJson(response, 400, openAIErrorBody(400, 'request body is not valid JSON'));
    }
    requests.push({ body, headers: { ...request.headers } });
    const invalidReason = invalidRequestReason(body);
    if (invalidReason) return sendJson(response, 400, openAIErrorBody(400, invalidReason));

    const reply = takeReply(body);
    if (!reply) {
      const message = `scripted model server: script exhausted after ${servedCount} requests`;
      return sendJson(response, 500, openAIErrorBody(500, message));
    }
    servedCount += 1;
    sendReply(response, reply, {
      requestBody: body,
      usageOf,
      sequence: servedCount,
      nextCallId: () => `call_${++toolCallCounter}`,
    });
  }

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method !== 'POST' || !CHAT_PATHS.has(path)) {
      return sendJson(response, 404, openAIErrorBody(404, `scripted model server: no route ${request.method} ${path}`));
    }
    handleChatRequest(request, response).catch((error: unknown) => {
      // A throwing responder is a test bug: surface it as a loud 500, never a hang.
      sendJson(response, 500, openAIErrorBody(500, `scripted model server: ${String(error)}`));
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    requests,
    enqueue: (...replies) => void script.push(...replies),
    remaining: () => script.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive sockets would otherwise hold Jest open
      }),
  };
}
