import type { ContextItem } from './compact-errors';

/** Counts the tokens of a text; renderContext decides what fits with it. */
export type TokenCounter = (text: string) => number;

/** The most recent items of the event log, kept whatever the budget (shortened only as a last resort). */
export const RECENT_ITEMS_KEPT = 6;

/** How an item is rendered: whole, with its body cut to a short head, or left out (counted in an <elided/> note). */
export type ItemMode = 'full' | 'elided' | 'dropped';

export interface BudgetEdit {
  readonly index: number;
  readonly mode: Exclude<ItemMode, 'full'>;
}

/**
 * Items never dropped: the first user message (the task), the last RECENT_ITEMS_KEPT items, the
 * pending request and the tool call it asks about (its arguments hold what is asked), the latest
 * rejection (its reason is what the agent must adapt to), the latest human reply, and the note of
 * events left behind by continue-as-new.
 */
export function protectedItems(items: readonly ContextItem[], pendingRequestId?: string): Set<number> {
  const keep = new Set<number>();
  for (let index = Math.max(0, items.length - RECENT_ITEMS_KEPT); index < items.length; index++) keep.add(index);
  const is = (type: string) => (item: ContextItem) => item.event.type === type;
  const pending = items.findLastIndex(
    ({ event }) =>
      (event.type === 'approval_requested' || event.type === 'human_input_requested' || event.type === 'escalated') &&
      event.requestId === pendingRequestId,
  );
  const request = items[pending]?.event;
  const asked =
    request && 'callId' in request
      ? items
          .slice(0, pending)
          .findLastIndex(({ event }) => event.type === 'tool_call' && event.callId === request.callId)
      : -1;
  const anchors = [
    items.findIndex(is('user_message')),
    items.findLastIndex(is('approval_rejected')),
    items.findLastIndex(is('human_reply')),
    pending,
    asked,
    items.findIndex(is('earlier_events')),
  ];
  anchors.filter((index) => index >= 0).forEach((index) => keep.add(index));
  return keep;
}

/** What makes two results the same news: the tool and the arguments of the call they answer. */
export function callKey(tool: string, args: Record<string, unknown>): string {
  return JSON.stringify([tool, args]);
}

/** Each call id's key (the last call with the id wins), so a later result of the same call makes one stale. */
export function callKeys(items: readonly ContextItem[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { event } of items)
    if (event.type === 'tool_call') keys.set(event.callId, callKey(event.tool, event.args));
  return keys;
}

/** Older tool results with a later result of the same tool and arguments: the first to go, their news is stale. */
export function supersededResults(items: readonly ContextItem[]): Set<number> {
  const keys = callKeys(items);
  const superseded = new Set<number>();
  const seen = new Set<string>();
  for (let index = items.length - 1; index >= 0; index--) {
    const event = items[index]!.event;
    if (event.type !== 'tool_result') continue;
    const key = keys.get(event.callId) ?? JSON.stringify([event.tool]);
    if (seen.has(key)) superseded.add(index);
    seen.add(key);
  }
  return superseded;
}

/**
 * The order in which the context gives way when it exceeds its budget (F3): older tool results
 * (stale ones first) are cut to a head, then older tool calls' arguments, then older items are
 * dropped, oldest first; only then are the kept items' bodies cut, the task and the last item last.
 */
export function planEdits(
  items: readonly ContextItem[],
  keep: ReadonlySet<number>,
  elidable: (index: number) => boolean,
): BudgetEdit[] {
  const indexes = items.map((_item, index) => index);
  const older = indexes.filter((index) => !keep.has(index));
  const ofType = (type: string) => (index: number) => items[index]!.event.type === type && elidable(index);
  const stale = supersededResults(items);
  // Pre-fetched context gives way as a tool result does.
  const results = older.filter((index) => ofType('tool_result')(index) || ofType('context_loaded')(index));
  const task = items.findIndex(({ event }) => event.type === 'user_message');
  const last = items.length - 1;
  const elide = (index: number): BudgetEdit => ({ index, mode: 'elided' });
  return [
    ...results.filter((index) => stale.has(index)).map(elide),
    ...results.filter((index) => !stale.has(index)).map(elide),
    ...older.filter(ofType('tool_call')).map(elide),
    ...older.map((index): BudgetEdit => ({ index, mode: 'dropped' })),
    ...[...keep]
      .sort((a, b) => a - b)
      .filter((index) => index !== task && index !== last && elidable(index))
      .map(elide),
    ...[...new Set([task, last])].filter((index) => index >= 0 && elidable(index)).map(elide),
  ];
}

/** What fitToBudget needs to know of a rendering; lines end with a newline, and `frame` plus the lines is the text. */
export interface BudgetLayout {
  /** Everything but the event lines: system state and the event_history wrapper. */
  readonly frame: string;
  /** The longest note that stands for a run of dropped items. */
  readonly note: string;
  line(index: number, mode: Exclude<ItemMode, 'dropped'>): string;
  assemble(modes: readonly ItemMode[]): string;
}

/** The text with the first `count` edits applied to the `initial` modes: no tokenizer needed (the workflow renders this way). */
export function applyEdits(
  layout: BudgetLayout,
  initial: readonly ItemMode[],
  edits: readonly BudgetEdit[],
  count: number,
): string {
  const modes = [...initial];
  for (const { index, mode } of edits.slice(0, count)) modes[index] = mode;
  return layout.assemble(modes);
}

/** The text that fits the budget: see editsToFit. */
export function fitToBudget(
  layout: BudgetLayout,
  initial: readonly ItemMode[],
  edits: readonly BudgetEdit[],
  budget: number,
  countTokens: TokenCounter,
): string {
  return applyEdits(layout, initial, edits, editsToFit(layout, initial, edits, budget, countTokens));
}

/**
 * How many of the edits, applied in order from the `initial` modes, make the text fit the budget (all
 * of them if it never fits). It sums per-line costs (cached) to decide, then checks the whole text:
 * a tokenizer can count the whole a little differently from its lines, and any gap is carried over
 * while edits go on.
 */
export function editsToFit(
  layout: BudgetLayout,
  initial: readonly ItemMode[],
  edits: readonly BudgetEdit[],
  budget: number,
  countTokens: TokenCounter,
): number {
  const modes = [...initial];
  const costs = new Map<string, number>();
  const cost = (index: number, mode: Exclude<ItemMode, 'dropped'>) => {
    const key = `${mode}:${index}`;
    if (!costs.has(key)) costs.set(key, countTokens(layout.line(index, mode)));
    return costs.get(key)!;
  };
  const frame = countTokens(layout.frame);
  const note = countTokens(layout.note);
  // A run of dropped items costs one note, charged to its first item.
  const share = (index: number): number => {
    if (index >= modes.length) return 0;
    const mode = modes[index]!;
    return mode !== 'dropped' ? cost(index, mode) : modes[index - 1] === 'dropped' ? 0 : note;
  };
  // The running sum of the shares, kept as edits apply (summing every line after each edit is quadratic).
  let total = modes.reduce((sum, _mode, index) => sum + share(index), frame);
  const apply = ({ index, mode }: BudgetEdit) => {
    total -= share(index) + share(index + 1);
    modes[index] = mode;
    total += share(index) + share(index + 1);
  };
  const estimate = () => total;
  let next = 0;
  let gap = 0;
  for (;;) {
    while (next < edits.length && estimate() + gap > budget) {
      apply(edits[next++]!);
    }
    if (next >= edits.length) return next;
    const exact = countTokens(layout.assemble(modes));
    if (exact <= budget) return next;
    gap = exact - estimate();
  }
}
