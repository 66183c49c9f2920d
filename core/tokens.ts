import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

/** Pieces whose count is kept, oldest dropped first; pieces are words, numbers, punctuation runs. */
const CACHED_PIECES = 50_000;

/**
 * The real o200k_base token count (GPT-4o and later), in pure JS. Its ranks take ~2.3 MB and about
 * a second to load, once per process or workflow thread: with the worker's reused V8 context
 * (reuseV8Context, the SDK's default) the sandbox evaluates this module once, not per run.
 */
let encoder: Tiktoken | undefined;

/** The tokenizer's pre-split: it encodes each match of this pattern on its own and concatenates. */
const PIECES = new RegExp(o200kBase.pat_str, 'gu');

/**
 * Counts per piece: a new line's common pieces (tags, keys, words) skip byte-pair merging. A pure
 * function's memo, shared by runs: it changes no result. Counts per line are kept by the workflow's
 * context planner, per item, so lines themselves are not kept here.
 */
const pieceCounts = new Map<string, number>();

function remember(memo: Map<string, number>, limit: number, text: string, count: number): number {
  if (memo.size >= limit) memo.delete(memo.keys().next().value!);
  memo.set(text, count);
  return count;
}

function countPiece(piece: string): number {
  const known = pieceCounts.get(piece);
  if (known !== undefined) return known;
  encoder ??= new Tiktoken(o200kBase);
  return remember(pieceCounts, CACHED_PIECES, piece, encoder.encode(piece).length);
}

/**
 * The number of o200k_base tokens of `text` (special-token text counts as plain text). The tokenizer
 * encodes each piece on its own, so a text's count is the sum of its pieces', and a context's the sum
 * of its lines' (core/context-planner.ts relies on it: a line ends in `>` and a newline, and the next
 * starts with spaces and `<`, so no piece spans two lines).
 */
export function countTokensO200k(text: string): number {
  let total = 0;
  for (const [piece] of text.matchAll(PIECES)) total += countPiece(piece);
  return total;
}
