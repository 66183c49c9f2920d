import {
  applyEdits,
  editsToFit,
  planEdits,
  protectedItems,
  supersededResults,
  type BudgetLayout,
  type ItemMode,
  type TokenCounter,
} from './budget';
import { compactEvents, type ContextItem } from './compact-errors';
import { flowText, flowTextOfJson, flowTextOfJsonPrefix } from './flow-text';
import type { AgentState } from './reducer';
import type { EventOf, ThreadEvent } from './thread';

/** Characters of an error message the model sees (F9); the stack is never rendered. */
export const MAX_ERROR_MESSAGE_CHARS = 300;
/** Characters of an attribute value (ids, names, tools) after escaping; longer values end in `…`. */
export const MAX_ATTRIBUTE_CHARS = 64;
/** Characters of a body kept when it is elided to fit the budget; the rest is counted in `elided="N chars"`. */
export const ELIDED_HEAD_CHARS = 160;
/** Bodies at most this long are never elided: the marker would save little. */
const ELIDE_ABOVE = ELIDED_HEAD_CHARS + 40;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;' };

/** How a text is escaped: the characters replaced by entities. */
interface Escape {
  readonly pattern: RegExp;
  readonly chars: string;
}

/** XML text escaping, so event bodies cannot break the format. */
const TEXT: Escape = { pattern: /[&<>]/g, chars: '&<>' };
/** Attribute values go in single quotes: the context travels JSON-encoded, where a double quote costs an escape. */
const ATTRIBUTE: Escape = { pattern: /[&<>']/g, chars: "&<>'" };

function escape(text: string, { pattern }: Escape): string {
  return text.replace(pattern, (char) => ENTITIES[char]!);
}

/** The escaped text within `limit` characters, never cutting an entity or a surrogate pair; `rest` counts source characters left out. */
function escapedPrefix(text: string, limit: number, how: Escape): { text: string; rest: number } {
  let length = 0;
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    const width = code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? 2 : 1;
    const char = text[at]!;
    const added = width === 1 && how.chars.includes(char) ? ENTITIES[char]!.length : width;
    if (length + added > limit) break;
    length += added;
    at += width;
  }
  return { text: escape(text.slice(0, at), how), rest: text.length - at };
}

type Attributes = Record<string, string | number | undefined>;

function attrs(values: Attributes): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => {
      const clipped = escapedPrefix(String(value), MAX_ATTRIBUTE_CHARS, ATTRIBUTE);
      return ` ${name}='${clipped.text}${clipped.rest > 0 ? '…' : ''}'`;
    })
    .join('');
}

/** An element before rendering: its name, attributes and text body. */
interface Parts {
  readonly name: string;
  readonly attributes: Attributes;
  readonly body?: string;
}

function element({ name, attributes, body }: Parts, mode: Exclude<ItemMode, 'dropped'> = 'full'): string {
  const open = `<${name}${attrs(attributes)}`;
  if (body === undefined || body === '') return `${open}/>`;
  if (mode === 'elided' && body.length > ELIDE_ABOVE) {
    const head = escapedPrefix(body, ELIDED_HEAD_CHARS, TEXT);
    return `${open}${attrs({ elided: `${head.rest} chars` })}>${head.text}…</${name}>`;
  }
  return `${open}>${escape(body, TEXT)}</${name}>`;
}

function errorMessage(message: string): string {
  return trimText(message, MAX_ERROR_MESSAGE_CHARS).text;
}

/**
 * What each event shows the model (F3); `null` for events it does not need. No call or request ids:
 * a run makes one call at a time and its outcome follows it, and the model never names an id, so
 * they would only cost tokens (a uuid is about 20). Arguments, payloads and JSON outputs are flow
 * text (core/flow-text.ts): no double quotes to escape when the context is JSON-encoded.
 */
function eventParts(event: ThreadEvent): Parts | null {
  const part = (name: string, attributes: Attributes, body?: string): Parts => ({ name, attributes, body });
  switch (event.type) {
    case 'run_started':
    case 'forked':
    case 'decision_refused':
    case 'pause_requested':
    case 'pause_withdrawn':
      return null;
    case 'user_message':
      return part('user_message', { by: event.by }, event.text);
    case 'tool_call':
      return part('tool_call', { tool: event.tool }, flowText(event.args));
    case 'tool_result':
      return part(
        'tool_result',
        { tool: event.tool, truncated: event.truncated ? 'true' : undefined },
        outputBody(event),
      );
    case 'context_loaded':
      return part(
        'context_loaded',
        {
          tool: event.tool,
          args: flowText(event.args),
          truncated: event.truncated ? 'true' : undefined,
          unavailable: event.unavailable === undefined ? undefined : 'true',
        },
        event.output === undefined
          ? errorMessage(event.unavailable ?? '')
          : outputBody({ output: event.output, truncated: event.truncated ?? false }),
      );
    case 'error':
      if (event.source === 'notify') return null;
      return part(
        'error',
        { source: event.source, code: event.code ?? event.errorType, tool: event.tool },
        errorMessage(event.message),
      );
    case 'approval_requested':
      return part('approval_requested', { tool: event.tool });
    case 'approval_granted':
      return part('approval_granted', { by: event.by }, event.comment);
    case 'approval_counted':
      return part('approval_counted', { by: event.by }, event.comment);
    case 'approval_rejected':
      return part('approval_rejected', { by: event.by }, event.reason);
    case 'human_input_requested':
      return part('human_input_requested', {}); // the question is in the tool call just before it
    case 'human_reply':
      return part('human_reply', { by: event.by }, event.text);
    case 'escalated':
      return part('escalated', {}, event.reason);
    case 'request_escalated':
      return part('request_escalated', { to: event.to }, event.reason);
    case 'budget_exhausted':
      return part('budget_exhausted', { window: String(event.window) }, event.reason);
    case 'paused':
      return part('paused', { by: event.by }, event.reason);
    case 'resumed':
      return part('resumed', { by: event.by }, event.feedback);
    case 'done':
      return part('done', { tool: event.tool }, flowText(event.payload));
    case 'run_ended':
      return part('run_ended', { status: event.status }, event.reason);
    case 'earlier_events':
      return part('elided', { events: event.count }); // left behind when the run continued as new
  }
}

/** How trimText marks a cut: a tool output that ends in it was cut short, mid-JSON. */
const CUT_MARK = /… \[\d+ more characters cut\]$/;

/** A tool's output (JSON, maybe cut short by trimText) as flow text. */
function outputBody({ output, truncated }: Pick<EventOf<'tool_result'>, 'output' | 'truncated'>): string {
  const mark = truncated ? CUT_MARK.exec(output) : null;
  if (!mark) return flowTextOfJson(output);
  return flowTextOfJsonPrefix(output.slice(0, mark.index)) + mark[0];
}

/** One compact element per event (F3); `null` for events the model does not need. */
export function renderEvent(event: ThreadEvent): string | null {
  const parts = eventParts(event);
  return parts && element(parts);
}

function itemParts({ event, count }: ContextItem): Parts {
  const parts = eventParts(event)!;
  return count > 1 ? { ...parts, attributes: { ...parts.attributes, count } } : parts;
}

/** An item's lines in the event log, indented and newline-terminated. */
export interface ItemLines {
  readonly full: string;
  /** The line with its body cut to a short head; absent when the body is too short to gain from it. */
  readonly elided?: string;
}

export function itemLines(item: ContextItem): ItemLines {
  const parts = itemParts(item);
  const full = `  ${element(parts)}\n`;
  return (parts.body?.length ?? 0) > ELIDE_ABOVE ? { full, elided: `  ${element(parts, 'elided')}\n` } : { full };
}

/** The first line of the context: the step the model is about to take, the limit, the status and the error count. */
export function systemState(state: AgentState): string {
  return element({
    name: 'system_state',
    attributes: {
      step: state.step + 1,
      max_steps: state.maxSteps,
      status: state.status,
      consecutive_errors: state.consecutiveErrors,
    },
  });
}

/** The line that stands for a run of `count` dropped items. */
export function elidedNoteLine(count: number): string {
  return `  ${element({ name: 'elided', attributes: { events: count } })}\n`;
}

/** The longest note: what the budget charges for each run of dropped items. */
export const ELIDED_NOTE_ESTIMATE = elidedNoteLine(9999);

/** The context: the system state, then the event log's lines. */
export function contextText(header: string, lines: string): string {
  return `${header}\n<event_history>\n${lines}</event_history>`;
}

/** The event log's lines; each run of dropped items becomes one `<elided events='N'/>`. */
function contextLayout(header: string, items: readonly ContextItem[]): BudgetLayout {
  const rendered: ItemLines[] = [];
  const line = (index: number, mode: Exclude<ItemMode, 'dropped'>) => {
    const lines = (rendered[index] ??= itemLines(items[index]!));
    return mode === 'elided' && lines.elided !== undefined ? lines.elided : lines.full;
  };
  return {
    frame: contextText(header, ''),
    note: ELIDED_NOTE_ESTIMATE,
    line,
    assemble(modes) {
      let lines = '';
      let dropped = 0;
      modes.forEach((mode, index) => {
        if (mode !== 'dropped') lines += line(index, mode);
        else if (modes[index + 1] !== 'dropped') lines += elidedNoteLine(dropped + 1);
        dropped = mode === 'dropped' ? dropped + 1 : 0;
      });
      return contextText(header, lines);
    },
  };
}

export interface RenderContextOptions {
  /**
   * Most tokens the context may take, as counted by `countTokens` (core/tokens.ts has the o200k
   * count; this module leaves the tokenizer out, so the workflow sandbox can render). Default: no
   * limit (errors are still compacted). A budget of at least MIN_CONTEXT_TOKEN_BUDGET
   * (core/constants.ts) is always met; below it the context is cut as far as it goes and may still exceed it.
   */
  readonly tokenBudget?: number;
  readonly countTokens?: TokenCounter;
  /** Instead of a budget: apply exactly this many of the budget's edits (what contextEditsToFit found). */
  readonly edits?: number;
}

function contextPlan(state: AgentState, events: readonly ThreadEvent[]) {
  const items = compactEvents(events);
  const layout = contextLayout(systemState(state), items);
  const elidable = items.map((item) => itemLines(item).elided !== undefined);
  // A result superseded by a later one of the same call is stale: only its head is shown, budget or not.
  const stale = supersededResults(items);
  const modes = items.map((_item, index): ItemMode => (stale.has(index) && elidable[index] ? 'elided' : 'full'));
  const plan = () => planEdits(items, protectedItems(items, state.pending?.requestId), (index) => elidable[index]!);
  return { layout, modes, plan };
}

/** How many of the budget's edits the context needs to fit `tokenBudget` tokens: renderContext with `edits` renders it. */
export function contextEditsToFit(
  state: AgentState,
  events: readonly ThreadEvent[],
  tokenBudget: number,
  countTokens: TokenCounter,
): number {
  const { layout, modes, plan } = contextPlan(state, events);
  return editsToFit(layout, modes, plan(), tokenBudget, countTokens);
}

/**
 * The prompt context: system state, then the event log (F3), errors compacted (F9) and stale tool
 * results cut to their head. Within a token budget, older tool results are cut next, then older
 * calls' arguments, then older events are left out (see planEdits). Pure, so tests see exactly what
 * the model sees.
 */
export function renderContext(
  state: AgentState,
  events: readonly ThreadEvent[],
  options: RenderContextOptions = {},
): string {
  const { layout, modes, plan } = contextPlan(state, events);
  if (options.edits !== undefined) return applyEdits(layout, modes, plan(), options.edits);
  if (options.tokenBudget === undefined) return layout.assemble(modes);
  if (!options.countTokens)
    throw new Error('renderContext: a tokenBudget needs countTokens (countTokensO200k from core/tokens).');
  const edits = plan();
  return applyEdits(layout, modes, edits, editsToFit(layout, modes, edits, options.tokenBudget, options.countTokens));
}

/** Cuts text to a limit and says how much was cut, so the model knows it saw a part. */
export function trimText(text: string, limit: number): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  return { text: `${text.slice(0, limit)}… [${text.length - limit} more characters cut]`, truncated: true };
}
