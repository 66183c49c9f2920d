import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ThreadEvent } from '../core/thread';

/**
 * What a typical naive agent loop sends instead of a rendered context: the whole conversation as
 * OpenAI chat messages. Every tool call is an assistant message with `tool_calls` and a `tool` message
 * with the full result; errors are tool messages (a model error, having no call, answers a stand-in
 * id); human replies and resume feedback are user messages. Stacks are left out, to be fair to it.
 */
export function naiveMessages(instructions: string, events: readonly ThreadEvent[]): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: instructions }];
  const callOfRequest = new Map<string, string>();
  for (const event of events) {
    const message = naiveMessage(event, callOfRequest);
    if (message) messages.push(message);
  }
  return messages;
}

function naiveMessage(event: ThreadEvent, callOfRequest: Map<string, string>): ChatCompletionMessageParam | null {
  switch (event.type) {
    case 'user_message':
      return { role: 'user', content: event.text };
    case 'tool_call':
      return {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: event.callId, type: 'function', function: { name: event.tool, arguments: JSON.stringify(event.args) } },
        ],
      };
    case 'tool_result':
      return { role: 'tool', tool_call_id: event.callId, content: event.output };
    case 'error':
      return {
        role: 'tool',
        tool_call_id: event.callId ?? 'invalid_model_output',
        content: `${event.errorType}: ${event.message}`,
      };
    case 'approval_requested':
      callOfRequest.set(event.requestId, event.callId);
      return null;
    case 'approval_rejected':
      return {
        role: 'tool',
        tool_call_id: callOfRequest.get(event.requestId) ?? event.requestId,
        content: `Rejected by ${event.by}: ${event.reason}`,
      };
    case 'human_reply':
      return { role: 'user', content: event.text };
    case 'resumed':
      return event.feedback ? { role: 'user', content: event.feedback } : null;
    default:
      return null;
  }
}
