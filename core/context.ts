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
import type { AgentState } from './reducer';
import type { ThreadEvent } from './thread';

/** Characters of an error message the model sees (F9); the stack is never rendered. */
export const MAX_ERROR_MESSAGE_CHARS = 300;
/** Characters of an attribute value (ids, names, tools) after escaping; longer values end in `…`. */
export const MAX_ATTRIBUTE_CHARS = 64;
/** Characters of a body kept when it is elided to fit the budget; the rest is counted in `elided="N chars"`. */
export const ELIDED_HEAD_CHARS = 160;
/** Bodies at most this long are never elided: the marker would save little. */
const ELIDE_ABOVE = ELIDED_HEAD_CHARS + 40;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** XML text escaping, so event bodies cannot break the format. */
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char]!);
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ENTITIES[char]!);
}

/** The escaped text within `limit` characters, never cutting an entity or a surrogate pair; `rest` counts source characters left out. */
function escapedPrefix(text: string, limit: number, escape: (text: string) => string): { text: string; rest: number } {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    const width = code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? 2 : 1;
    const piece = escape(text.slice(at, at + width));
    if (out.length + piece.length > limit) break;
    out += piece;
    at += width;
  }
  return { text: out, rest: text.length - at };
}

type Attributes = Record<string, string | number | undefined>;

function attrs(values: Attributes): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => {
      const clipped = escapedPrefix(String(value), MAX_ATTRIBUTE_CHARS, escapeAttribute);
      return ` ${name}="${clipped.text}${clipped.rest > 0 ? '…' : ''}"`;
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
    const head = escapedPrefix(body, ELIDED_HEAD_CHARS, escapeText);
    return `${open}${attrs({ elided: `${head.rest} chars` })}>${head.text}…</${name}>`;
  }
  return `${open}>${escapeText(body)}</${name}>`;
}

function errorMessage(message: string): string {
  return trimText(message, MAX_ERROR_MESSAGE_CHARS).text;
}

/**
 * What each event shows the model (F3); `null` for events it does not need. No call or request ids:
 * a run makes one call at a time and its outcome follows it, and the model never names an id, so
 * they would only cost tokens (a uuid is about 20).
 */
function eventParts(event: ThreadEvent): Parts | null {
  const part = (name: string, attributes: Attributes, body?: string): Parts => ({ name, attributes, body });
  switch (event.type) {
    case 'run_started':
    case 'decision_refused':
    case 'pause_requested':
    case 'pause_withdrawn':
      return null;
    case 'user_message':
      return part('user_message', { by: event.by }, event.text);
    case 'tool_call':
      return part('tool_call', { tool: event.tool }, JSON.stringify(event.args));
    case 'tool_result':
      return part('tool_result', { tool: event.tool, truncated: event.truncated ? 'true' : undefined }, event.output);
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
    case 'paused':
      return part('paused', { by: event.by }, event.reason);
    case 'resumed':
      return part('resumed', { by: event.by }, event.feedback);
    case 'done':
      return part('done', { tool: event.tool }, JSON.stringify(event.payload));
    case 'run_ended':
      return part('run_ended', { status: event.status }, event.reason);
    case 'earlier_events':
      return part('elided', { events: event.count }); // left behind when the run continued as new
  }
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

/**
 * Lines already rendered, per event object, count and mode: a run renders its thread at every
 * step, and escaping every old event again would make each step cost more than the last.
 */
const renderedLines = new WeakMap<ThreadEvent, Map<string, string>>();

/** The item's line in the event log: indented, newline-terminated (the same string each time, so counts are found by it fast). */
function itemLine(item: ContextItem, mode: Exclude<ItemMode, 'dropped'>): string {
  let lines = renderedLines.get(item.event);
  if (!lines) renderedLines.set(item.event, (lines = new Map()));
  const key = `${item.count}:${mode}`;
  let line = lines.get(key);
  if (line === undefined) lines.set(key, (line = `  ${element(itemParts(item), mode)}\n`));
  return line;
}

/** Whether an event's body is long enough to elide (it depends on the event alone), kept like its lines. */
const elidableEvents = new WeakMap<ThreadEvent, boolean>();

function elidable(item: ContextItem): boolean {
  let known = elidableEvents.get(item.event);
  if (known === undefined) elidableEvents.set(item.event, (known = (itemParts(item).body?.length ?? 0) > ELIDE_ABOVE));
  return known;
}

function systemState(state: AgentState): string {
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

/** The event log's lines; each run of dropped items becomes one `<elided events="N"/>`. */
function contextLayout(header: string, items: readonly ContextItem[]): BudgetLayout {
  const line = (index: number, mode: Exclude<ItemMode, 'dropped'>) => itemLine(items[index]!, mode);
  const note = (events: number) => `  ${element({ name: 'elided', attributes: { events } })}\n`;
  const wrap = (lines: string) => `${header}\n<event_history>\n${lines}</event_history>`;
  return {
    frame: wrap(''),
    note: note(9999),
    line,
    assemble(modes) {
      let lines = '';
      let dropped = 0;
      modes.forEach((mode, index) => {
        if (mode !== 'dropped') lines += line(index, mode);
        else if (modes[index + 1] !== 'dropped') lines += note(dropped + 1);
        dropped = mode === 'dropped' ? dropped + 1 : 0;
      });
      return wrap(lines);
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
  // A result superseded by a later one of the same call is stale: only its head is shown, budget or not.
  const stale = supersededResults(items);
  const modes = items.map((item, index): ItemMode => (stale.has(index) && elidable(item) ? 'elided' : 'full'));
  const plan = () =>
    planEdits(items, protectedItems(items, state.pending?.requestId), (index) => elidable(items[index]!));
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
