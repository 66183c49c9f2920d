/**
 * The budget's edits (core/budget.ts planEdits) evaluated from running sums instead of one by one:
 * the first number of edits that fits, as editsToFit finds it with a counter that counts a text as
 * the sum of its lines, found in O(log n) per phase, and the lines of that context.
 */
import type { ItemMode } from './budget';
import type { ContextItem } from './compact-errors';
import { elidedNoteLine } from './context';
import { PrefixSums } from './prefix-sums';

/** One item of the event log and what the plan knows of it. */
export interface Slot {
  readonly item: ContextItem;
  readonly kind: 'result' | 'call' | 'other';
  /** Its body is long enough to cut to a head. */
  readonly elidable: boolean;
  /** Tokens of its line whole and cut to its head (when elidable); undefined until counted. */
  full?: number;
  elided?: number;
  /** A later result of the same call key supersedes it (supersededResults): shown cut from the start. */
  stale: boolean;
  /** Protected (protectedItems): never dropped. */
  kept: boolean;
}

type Shown = Exclude<ItemMode, 'dropped'>;

const cost = (slot: Slot, mode: Shown): number => (mode === 'elided' ? slot.elided! : slot.full!);
const saving = (slot: Slot): number => (slot.elidable ? slot.full! - slot.elided! : 0);
const initialMode = (slot: Slot): Shown => (slot.stale && slot.elidable ? 'elided' : 'full');
/** An older item's mode once older results and calls are cut, before it is dropped. */
const cutMode = (slot: Slot): Shown => (slot.elidable && slot.kind !== 'other' ? 'elided' : initialMode(slot));

/**
 * Per item, what each phase of the edits changes, summed by position. Phases, in planEdits' order:
 * stale older results are cut (already so from the start), other older results are cut, older calls
 * are cut, older items are dropped oldest first, then kept items are cut.
 */
export class BudgetValues {
  /** Tokens of every line as first shown. */
  initialTotal = 0;
  private readonly initial: number[] = [];
  /** Cutting each non-stale older result. */
  readonly resultSavings = new PrefixSums();
  /** Cutting each older call. */
  readonly callSavings = new PrefixSums();
  /** Dropping each older item, once cut (its line; the note that replaces a run is charged apart). */
  readonly dropSavings = new PrefixSums();
  /** Savings below zero (a head that costs more than its whole): their phase is walked one by one. */
  negativeResultSavings = 0;
  negativeCallSavings = 0;

  update(slot: Slot, index: number): void {
    const older = !slot.kept;
    const initial = cost(slot, initialMode(slot));
    this.initialTotal += initial - (this.initial[index] ?? 0);
    this.initial[index] = initial;
    const result = older && slot.kind === 'result' && !slot.stale ? saving(slot) : 0;
    this.negativeResultSavings += Number(result < 0) - Number(this.resultSavings.get(index) < 0);
    this.resultSavings.set(index, result);
    const call = older && slot.kind === 'call' ? saving(slot) : 0;
    this.negativeCallSavings += Number(call < 0) - Number(this.callSavings.get(index) < 0);
    this.callSavings.set(index, call);
    this.dropSavings.set(index, older ? cost(slot, cutMode(slot)) : 0);
  }
}

/** How far the edits go: a phase and the last item it reached. */
export type Fit =
  | { readonly phase: 'none' }
  | { readonly phase: 'results' | 'calls' | 'drops'; readonly through: number }
  | { readonly phase: 'kept'; readonly cut: ReadonlySet<number> };

export interface FitInput {
  readonly slots: readonly Slot[];
  readonly values: BudgetValues;
  /** The kept items, sorted. */
  readonly keep: readonly number[];
  /** The task's item (the first user message), or -1. */
  readonly task: number;
  /** Tokens the lines may take: the budget less the frame. */
  readonly room: number;
  /** Tokens charged for each run of dropped items. */
  readonly note: number;
}

/** The first position where a phase's running saving brings `total` within `room`, or the total after the whole phase. */
function firstFit(sums: PrefixSums, walk: boolean, length: number, total: number, room: number) {
  if (walk) {
    for (let index = 0; index < length; index++) {
      total -= sums.get(index);
      if (sums.get(index) !== 0 && total <= room) return { through: index, total };
    }
    return { through: -1, total };
  }
  const whole = sums.total();
  if (total - whole > room) return { through: -1, total: total - whole };
  return { through: sums.firstReaching(total - room), total };
}

/** The first prefix of planEdits' edits that brings the lines within `room` (all of them when none does). */
export function findFit({ slots, values, keep, task, room, note }: FitInput): Fit {
  let total = values.initialTotal;
  if (total <= room) return { phase: 'none' };
  const results = firstFit(values.resultSavings, values.negativeResultSavings > 0, slots.length, total, room);
  if (results.through >= 0) return { phase: 'results', through: results.through };
  const calls = firstFit(values.callSavings, values.negativeCallSavings > 0, slots.length, results.total, room);
  if (calls.through >= 0) return { phase: 'calls', through: calls.through };
  total = calls.total;
  // Older items between two kept ones form a run: its first drop costs a note, the others only save.
  const drops = values.dropSavings;
  let previous = -1;
  for (const next of [...keep, slots.length]) {
    const [first, last] = [previous + 1, next - 1];
    previous = next;
    if (first > last) continue;
    total += note - drops.get(first);
    if (total <= room) return { phase: 'drops', through: first };
    const before = drops.sumTo(first);
    const run = drops.sumTo(last) - before;
    if (total - run <= room) return { phase: 'drops', through: drops.firstReaching(before + total - room) };
    total -= run;
  }
  const lastItem = slots.length - 1;
  const kept = keep.filter((index) => index !== task && index !== lastItem);
  const cuts = [...kept, ...new Set([task, lastItem])].filter((index) => index >= 0 && slots[index]!.elidable);
  const cut = new Set<number>();
  for (const index of cuts) {
    const slot = slots[index]!;
    if (initialMode(slot) === 'full') total -= saving(slot);
    cut.add(index);
    if (total <= room) break;
  }
  return { phase: 'kept', cut };
}

function modeAt(slot: Slot, index: number, fit: Fit): Shown {
  if (slot.kept) return fit.phase === 'kept' && fit.cut.has(index) ? 'elided' : initialMode(slot);
  if (!slot.elidable || slot.kind === 'other' || fit.phase === 'drops' || fit.phase === 'kept') return cutMode(slot);
  if (slot.kind === 'result' && (slot.stale || fit.phase === 'calls')) return 'elided';
  const phase = slot.kind === 'result' ? 'results' : 'calls';
  return fit.phase === phase && index <= fit.through ? 'elided' : 'full';
}

/**
 * The event log's lines for a fit: the kept items among those dropped, one note a run of dropped
 * ones, then every item after the last drop. It reads only the lines it shows.
 */
export function renderFit(
  slots: readonly Slot[],
  keep: readonly number[],
  fit: Fit,
  lineOf: (slot: Slot, mode: Shown) => string,
): string {
  const droppedBelow = fit.phase === 'drops' ? fit.through + 1 : fit.phase === 'kept' ? slots.length : 0;
  let lines = '';
  let previous = -1;
  for (const index of keep) {
    if (index >= droppedBelow) break;
    if (index - previous > 1) lines += elidedNoteLine(index - previous - 1);
    lines += lineOf(slots[index]!, modeAt(slots[index]!, index, fit));
    previous = index;
  }
  if (droppedBelow - previous > 1) lines += elidedNoteLine(droppedBelow - previous - 1);
  for (let index = droppedBelow; index < slots.length; index++)
    lines += lineOf(slots[index]!, modeAt(slots[index]!, index, fit));
  return lines;
}
