import { callKeys, type TokenCounter } from './budget';
import { compactEvents, errorKey, fixedBy, hidden, isAgentError, type ContextItem } from './compact-errors';
import { contextText, ELIDED_NOTE_ESTIMATE, itemLines, systemState, type ItemLines } from './context';
import { BudgetValues, findFit, renderFit, type Slot } from './context-fit';
import { LogIndexes } from './log-indexes';
import type { AgentState } from './reducer';
import type { ThreadEvent } from './thread';

/** What the last step's update, counting and render did, in units that would grow with the thread if anything walked it. */
export interface PlannerWork {
  /** Items indexed: the new events', or the whole log's when errors were compacted anew. */
  readonly itemsIndexed: number;
  /** Lines and frames whose tokens were counted. */
  readonly textsCounted: number;
  /** Items whose budget values were recomputed. */
  readonly valuesUpdated: number;
  /** Lines of the rendered context. */
  readonly linesRendered: number;
}

const NO_WORK: PlannerWork = { itemsIndexed: 0, textsCounted: 0, valuesUpdated: 0, linesRendered: 0 };

/**
 * The budgeted context of a growing thread, planned step by step (F3). It renders exactly what
 * renderContext renders with a counter that counts a text as the sum of its lines, as o200k does
 * (core/tokens.ts), but a step indexes and counts only the events appended since the last one, and
 * finds the edits that fit from running sums (core/context-fit.ts) instead of walking every edit.
 * A run keeps one in the workflow; the tokenizer stays outside (uncountedTexts and learn cross a
 * local activity).
 *
 * Errors are the exception: an error that folds into an earlier one, or a result or reply that
 * recovers one, changes items far back (core/compact-errors.ts), so that step compacts the whole
 * thread again, keeping the token counts it knows.
 */
export class ContextPlanner {
  private slots: Slot[] = [];
  private consumed = 0;
  private header = '';
  private pendingRequestId: string | undefined;
  /** The system state and the event_history wrapper, and their tokens once counted. */
  private frame: { text: string; tokens?: number } = { text: '' };
  private noteTokens: number | undefined;
  private uncounted: number[] = [];
  /** Lines rendered at the last step and lines made for counting since: the next step shows mostly the same. */
  private lines = new Map<Slot, ItemLines>();
  private indexes = new LogIndexes();
  private values = new BudgetValues();
  private dirty = new Set<number>();
  private kept: number[] = [];
  private escalation: string | null = null;
  work: PlannerWork = NO_WORK;

  /**
   * Takes in the events appended since the last call, up to `end` (the thread only grows), and the
   * state they lead to.
   */
  update(events: readonly ThreadEvent[], state: AgentState, end = events.length): void {
    if (end < this.consumed) throw new Error('ContextPlanner.update: the thread lost events.');
    this.header = systemState(state);
    this.frame = { text: contextText(this.header, '') };
    this.pendingRequestId = state.pending?.requestId;
    const before = this.slots.length;
    let compactAgain = false;
    for (; this.consumed < end; this.consumed++) {
      const event = events[this.consumed]!;
      compactAgain ||= this.changesEarlierItems(event);
      this.followEscalation(event);
      if (!compactAgain && !hidden(event)) this.append({ event, count: 1 });
    }
    if (compactAgain) this.compactAgain(events);
    this.work = { ...NO_WORK, itemsIndexed: compactAgain ? this.slots.length : this.slots.length - before };
  }

  /**
   * Texts whose token counts the plan still needs, the frame (system state and wrapper) always first,
   * so the list is never empty: count them in this order and pass the counts to learn.
   */
  uncountedTexts(): string[] {
    const texts = [this.frame.text];
    if (this.noteTokens === undefined) texts.push(ELIDED_NOTE_ESTIMATE);
    for (const index of this.uncounted) {
      const lines = this.linesOf(this.slots[index]!);
      texts.push(lines.full);
      if (lines.elided !== undefined) texts.push(lines.elided);
    }
    return texts;
  }

  /** The counts of uncountedTexts(), in its order. */
  learn(counts: readonly number[]): void {
    const expected = this.uncountedTexts().length;
    if (counts.length !== expected)
      throw new Error(`ContextPlanner.learn: ${counts.length} counts for ${expected} texts.`);
    let next = 0;
    this.frame.tokens = counts[next++]!;
    if (this.noteTokens === undefined) this.noteTokens = counts[next++]!;
    for (const index of this.uncounted) {
      const slot = this.slots[index]!;
      slot.full = counts[next++]!;
      if (slot.elidable) slot.elided = counts[next++]!;
      this.dirty.add(index);
    }
    this.uncounted = [];
    this.work = { ...this.work, textsCounted: this.work.textsCounted + counts.length };
  }

  /** Counts what is uncounted with `countTokens`, outside the workflow (tests, `tfa model-input`). */
  countWith(countTokens: TokenCounter): void {
    this.learn(this.uncountedTexts().map(countTokens));
  }

  /** The context within `tokenBudget` tokens; everything must be counted first (uncountedTexts). */
  render(tokenBudget: number): string {
    const { tokens: frameTokens } = this.frame;
    if (this.uncounted.length > 0 || this.noteTokens === undefined || frameTokens === undefined)
      throw new Error('ContextPlanner.render: count uncountedTexts() first.');
    const valuesUpdated = this.refreshValues();
    const fit = findFit({
      slots: this.slots,
      values: this.values,
      keep: this.kept,
      task: this.indexes.task,
      room: tokenBudget - frameTokens,
      note: this.noteTokens,
    });
    const shown = new Map<Slot, ItemLines>();
    const lines = renderFit(this.slots, this.kept, fit, (slot, mode) => {
      const known = this.linesOf(slot);
      shown.set(slot, known);
      return mode === 'elided' ? known.elided! : known.full;
    });
    this.lines = shown; // the lines of items no longer shown are let go
    this.work = { ...this.work, valuesUpdated, linesRendered: shown.size };
    return contextText(this.header, lines);
  }

  /** Marks the items whose kept flag changed, recomputes the values of the marked ones; how many. */
  private refreshValues(): number {
    const keep = this.indexes.protectedItems(this.slots.length, this.pendingRequestId);
    const kept = new Set(keep);
    for (const index of [...this.kept, ...keep]) {
      const slot = this.slots[index]!;
      if (slot.kept === kept.has(index)) continue;
      slot.kept = kept.has(index);
      this.dirty.add(index);
    }
    this.kept = keep;
    for (const index of this.dirty) this.values.update(this.slots[index]!, index);
    const updated = this.dirty.size;
    this.dirty.clear();
    return updated;
  }

  private linesOf(slot: Slot): ItemLines {
    let lines = this.lines.get(slot);
    if (!lines) this.lines.set(slot, (lines = itemLines(slot.item)));
    return lines;
  }

  /** Appends an item; `counted` is its slot before the log was compacted again, whose counts still hold. */
  private append(item: ContextItem, counted?: Slot): void {
    const index = this.slots.length;
    const event = item.event;
    const lines = counted ? undefined : itemLines(item);
    const slot: Slot = {
      item,
      kind: event.type === 'tool_result' ? 'result' : event.type === 'tool_call' ? 'call' : 'other',
      elidable: counted ? counted.elidable : lines!.elided !== undefined,
      full: counted?.full,
      elided: counted?.elided,
      stale: false,
      kept: false,
    };
    if (lines) this.lines.set(slot, lines);
    this.slots.push(slot);
    if (slot.full === undefined) this.uncounted.push(index);
    this.dirty.add(index);
    const superseded = this.indexes.register(event, index);
    if (superseded !== undefined) {
      this.slots[superseded]!.stale = true;
      this.dirty.add(superseded);
    }
  }

  /** Whether appending this event changes items already in the log (see the class comment). */
  private changesEarlierItems(event: ThreadEvent): boolean {
    const errors = this.indexes.errors;
    if (isAgentError(event)) return errors.has(errorKey(event));
    if (event.type === 'tool_result') return [...errors.values()].some((index) => fixedBy(this.errorAt(index), event));
    if (event.type === 'human_reply' && event.requestId === this.escalation) return errors.size > 0;
    if (event.type === 'resumed' && this.escalation !== null) return errors.size > 0;
    if (event.type === 'tool_call') return this.indexes.callIdSeen(event.callId);
    return false;
  }

  private errorAt(index: number) {
    const event = this.slots[index]!.item.event;
    if (event.type !== 'error') throw new Error(`ContextPlanner: item ${index} is not an error.`);
    return event;
  }

  /** The escalation a reply or a resume recovers from, followed as compact-errors' recoveredErrors does. */
  private followEscalation(event: ThreadEvent): void {
    if (event.type === 'escalated') this.escalation = event.requestId;
    else if (event.type === 'human_reply' && event.requestId === this.escalation) this.escalation = null;
    else if (event.type === 'resumed') this.escalation = null;
  }

  private compactAgain(events: readonly ThreadEvent[]): void {
    const counted = new Map(this.slots.map((slot) => [slot.item.event, slot]));
    this.slots = [];
    this.uncounted = [];
    this.values = new BudgetValues();
    this.dirty.clear();
    this.kept = [];
    const items = compactEvents(events.slice(0, this.consumed));
    this.indexes = new LogIndexes(callKeys(items));
    for (const item of items) {
      const known = counted.get(item.event);
      this.append(item, known && known.item.count === item.count ? known : undefined);
    }
  }
}
