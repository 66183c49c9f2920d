/**
 * SIMULATED DeployBot "model" for the offline demo and tests: a fixed policy,
 * not an LLM. It reads the last user message (the XML-like event log the agent
 * renders as context), looks for a few substrings, and picks the next tool:
 *
 *   no deploy_to_staging result   -> deploy_to_staging {ref}
 *   no run_tests result           -> run_tests {environment: "staging"}
 *   tests failed                  -> done_for_now (not deploying)
 *   production approval rejected  -> done_for_now (staying on staging)
 *   no deploy_to_production result-> deploy_to_production {ref}
 *   otherwise                     -> done_for_now (deployed)
 */
import type { ScriptedReply, ScriptedResponder } from './scripted-model-server';

const DEFAULT_REF = 'main';

/** Text of a message's content, whether a string or an array of text parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

/** The ref named by the first `<user_message>`: the word after "deploy", else "main". */
export function extractRef(context: string): string {
  const userMessage = /<user_message\b[^>]*>([\s\S]*?)<\/user_message>/.exec(context)?.[1] ?? context;
  return /\bdeploy\s+([A-Za-z0-9._\/-]+)/i.exec(userMessage)?.[1] ?? DEFAULT_REF;
}

/** Start of each `<tool_result ...>` element for `tool`, whatever the attribute order. */
function toolResultStarts(context: string, tool: string): number[] {
  const pattern = new RegExp(`<tool_result\\b[^>]*\\btool="${tool}"`, 'g');
  return [...context.matchAll(pattern)].map((match) => match.index ?? 0);
}

function hasToolResult(context: string, tool: string): boolean {
  return toolResultStarts(context, tool).length > 0;
}

/** Body text of the last tool_result for `tool`, or '' when there is none. */
function lastToolResultText(context: string, tool: string): string {
  const start = toolResultStarts(context, tool).at(-1);
  if (start === undefined) return '';
  const end = context.indexOf('</tool_result>', start);
  return context.slice(start, end < 0 ? undefined : end);
}

function testsFailed(context: string): boolean {
  return /"?passed"?\s*:\s*false/.test(lastToolResultText(context, 'run_tests'));
}

/** The rejection reason, from a `reason="..."` attribute or the element's text; null when not rejected. */
function rejectionReason(context: string): string | null {
  const start = context.indexOf('<approval_rejected');
  if (start < 0) return null;
  const end = context.indexOf('</approval_rejected>', start);
  // Without a closing tag the element is self-closing: keep only its start tag.
  const element = context.slice(start, end < 0 ? context.indexOf('>', start) + 1 || undefined : end);
  const fromAttribute = /\breason="([^"]*)"/.exec(element)?.[1];
  const fromText = /^<approval_rejected\b[^>]*>([\s\S]*)/.exec(element)?.[1];
  // Trailing periods are dropped because the message adds its own.
  return (fromAttribute ?? fromText ?? '').trim().replace(/\.+$/, '') || 'no reason given';
}

function callTool(name: string, args: Record<string, unknown>): ScriptedReply {
  return { toolCall: { name, arguments: args } };
}

/** Picks DeployBot's next step from the event-log text (see the module comment). */
export function nextDeploybotStep(context: string): ScriptedReply {
  const ref = extractRef(context);
  if (!hasToolResult(context, 'deploy_to_staging')) return callTool('deploy_to_staging', { ref });
  if (!hasToolResult(context, 'run_tests')) return callTool('run_tests', { environment: 'staging' });
  if (testsFailed(context)) {
    return callTool('done_for_now', { message: `Tests failed on staging; not deploying ${ref} to production.` });
  }
  const reason = rejectionReason(context);
  if (reason !== null) {
    return callTool('done_for_now', { message: `Production deploy of ${ref} was rejected: ${reason}. Staying on staging.` });
  }
  if (!hasToolResult(context, 'deploy_to_production')) return callTool('deploy_to_production', { ref });
  return callTool('done_for_now', { message: `Deployed ${ref} to production.` });
}

export function deploybotDemoResponder(): ScriptedResponder {
  return ({ messages }) => {
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    return nextDeploybotStep(contentText(lastUser?.content));
  };
}
