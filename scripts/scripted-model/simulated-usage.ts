/**
 * The `usage` the scripted (SIMULATED) model reports, shaped like OpenAI's Chat Completions usage and
 * counted with the repository's tokenizer (o200k_base, core/tokens.ts) over what the request carries.
 * The counts are plausible, not OpenAI's: the real API also counts its own chat and tool-schema
 * framing. Prompt caching is simulated by OpenAI's published rule: a prompt of at least 1,024 tokens
 * whose leading messages (and tools) an earlier request also sent gets that prefix, in whole
 * 128-token blocks, as `prompt_tokens_details.cached_tokens`.
 */
import { createHash } from 'node:crypto';
import { countTokensO200k } from '../../core/tokens';

/** Tokens a chat message costs beyond its content (role and separators), and the reply's priming. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
const CACHE_MIN_PROMPT_TOKENS = 1_024;
const CACHE_BLOCK_TOKENS = 128;
/** Prefixes remembered, oldest forgotten first. */
const REMEMBERED_PREFIXES = 10_000;

export interface SimulatedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

function messageTokens(message: unknown): number {
  const {
    role,
    content,
    tool_calls: toolCalls,
  } = (message ?? {}) as { role?: unknown; content?: unknown; tool_calls?: unknown };
  return (
    TOKENS_PER_MESSAGE +
    countTokensO200k(textOf(role)) +
    countTokensO200k(textOf(content)) +
    (toolCalls ? countTokensO200k(JSON.stringify(toolCalls)) : 0)
  );
}

/** Counts each request and remembers its prefixes, so a later request sharing one reports it cached. */
export function createUsageSimulator(): (
  requestBody: { messages?: unknown; tools?: unknown },
  reply: unknown,
) => SimulatedUsage {
  const seen = new Set<string>();
  const remember = (key: string) => {
    if (seen.size >= REMEMBERED_PREFIXES) seen.delete(seen.values().next().value!);
    seen.add(key);
  };
  return (requestBody, reply) => {
    const messages = Array.isArray(requestBody.messages) ? requestBody.messages : [];
    const toolsTokens = requestBody.tools ? countTokensO200k(JSON.stringify(requestBody.tools)) : 0;
    let prefix = createHash('sha256').update(JSON.stringify(requestBody.tools ?? null));
    let prefixTokens = toolsTokens;
    let cachedPrefix = 0;
    for (const message of messages) {
      prefix = prefix.copy().update(JSON.stringify(message));
      prefixTokens += messageTokens(message);
      const key = prefix.copy().digest('hex');
      if (seen.has(key)) cachedPrefix = prefixTokens;
      remember(key);
    }
    const promptTokens = prefixTokens + REPLY_PRIMING_TOKENS;
    const cached =
      promptTokens >= CACHE_MIN_PROMPT_TOKENS ? Math.floor(cachedPrefix / CACHE_BLOCK_TOKENS) * CACHE_BLOCK_TOKENS : 0;
    const completionTokens = messageTokens(reply);
    return {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
  };
}
