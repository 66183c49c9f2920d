import type { ScriptedReply } from '../../scripts/scripted-model/server';

/** A 200 completion calling `tool`, with whatever `usage` and `model` a hostile endpoint chooses to report. */
export function completionReporting(
  tool: string,
  args: Record<string, unknown>,
  reported: { usage: unknown; model: unknown },
): ScriptedReply {
  const call = {
    id: `call_${Math.random().toString(36).slice(2)}`,
    type: 'function',
    function: { name: tool, arguments: JSON.stringify(args) },
  };
  const message = { role: 'assistant', content: null, refusal: null, tool_calls: [call] };
  const choice = { index: 0, message, logprobs: null, finish_reason: 'tool_calls' };
  return {
    status: 200,
    body: {
      id: 'chatcmpl-hostile',
      object: 'chat.completion',
      created: 0,
      model: reported.model,
      choices: [choice],
      usage: reported.usage,
    },
  };
}
