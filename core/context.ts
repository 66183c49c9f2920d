import type { AgentState } from './reducer';
import type { ThreadEvent } from './thread';

/** XML attribute and text escaping, so event bodies cannot break the format. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeText(String(value)).replace(/"/g, '&quot;')}"`)
    .join('');
}

function element(name: string, attributes: Record<string, string | number | undefined>, body?: string): string {
  const open = `<${name}${attrs(attributes)}`;
  return body === undefined || body === '' ? `${open}/>` : `${open}>${escapeText(body)}</${name}>`;
}

/** One compact element per event (F3); `null` for events the model does not need. */
export function renderEvent(event: ThreadEvent): string | null {
  switch (event.type) {
    case 'run_started':
      return null;
    case 'user_message':
      return element('user_message', { by: event.by }, event.text);
    case 'tool_call':
      return element('tool_call', { id: event.callId, tool: event.tool }, JSON.stringify(event.args));
    case 'tool_result':
      return element('tool_result', { id: event.callId, tool: event.tool, truncated: event.truncated ? 'true' : undefined }, event.output);
    case 'error':
      return element('error', { source: event.source, code: event.code ?? event.errorType, tool: event.tool }, event.message);
    case 'approval_requested':
      return element('approval_requested', { id: event.requestId, tool: event.tool });
    case 'approval_granted':
      return element('approval_granted', { id: event.requestId, by: event.by }, event.comment);
    case 'approval_rejected':
      return element('approval_rejected', { id: event.requestId, by: event.by }, event.reason);
    case 'human_input_requested':
      return element('human_input_requested', { id: event.requestId }, event.question);
    case 'human_reply':
      return element('human_reply', { id: event.requestId, by: event.by }, event.text);
    case 'escalated':
      return element('escalated', { id: event.requestId }, event.reason);
    case 'decision_refused':
      return null;
    case 'request_escalated':
      return element('request_escalated', { id: event.requestId, to: event.to }, event.reason);
    case 'paused':
      return element('paused', { by: event.by }, event.reason);
    case 'resumed':
      return element('resumed', { by: event.by }, event.feedback);
    case 'done':
      return element('done', { tool: event.tool }, JSON.stringify(event.payload));
    case 'run_ended':
      return element('run_ended', { status: event.status }, event.reason);
  }
}

/** The prompt context: system state, then the event log (F3). Pure, so tests see exactly what the model sees. */
export function renderContext(state: AgentState, events: readonly ThreadEvent[]): string {
  const systemState = element('system_state', {
    step: state.step + 1,
    max_steps: state.maxSteps,
    status: state.status,
    consecutive_errors: state.consecutiveErrors,
  });
  const history = events
    .map(renderEvent)
    .filter((line): line is string => line !== null)
    .map((line) => `  ${line}`);
  return [systemState, '<event_history>', ...history, '</event_history>'].join('\n');
}

/** Cuts text to a limit and says how much was cut, so the model knows it saw a part. */
export function trimText(text: string, limit: number): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  return { text: `${text.slice(0, limit)}… [${text.length - limit} more characters cut]`, truncated: true };
}
