import { z } from 'zod';

const tokens = z.number().int().nonnegative();
// Patterns are tested in .refine(), not .regex(): the workflows share these schemas frozen (workflows/settle-schemas.ts).
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The longest model name a call's usage records. */
export const USAGE_MODEL_NAME_LIMIT = 200;

/** What one model call used, as the endpoint reported it, and what it cost by the worker's price table. */
export const ModelCallUsage = z.object({
  /** The model the endpoint says answered (e.g. `gpt-4o-mini-2024-07-18`), else the one asked for. */
  model: z.string().max(USAGE_MODEL_NAME_LIMIT),
  /** Prompt tokens, the cached ones included (OpenAI's `prompt_tokens`). */
  inputTokens: tokens,
  /** Completion tokens, reasoning included (`completion_tokens`). */
  outputTokens: tokens,
  /** The part of inputTokens served from the prompt cache (`prompt_tokens_details.cached_tokens`). */
  cachedInputTokens: tokens,
  /** US dollars at the worker's prices when the call was made; absent when its table has no price for the model. */
  costUsd: z.number().nonnegative().optional(),
});
export type ModelCallUsage = z.infer<typeof ModelCallUsage>;

/** One model's calls added up. */
export const ModelUsageTotals = z.object({
  calls: z.number().int().nonnegative(),
  inputTokens: tokens,
  outputTokens: tokens,
  cachedInputTokens: tokens,
  /** Sum of the priced calls' costs, in US dollars. */
  costUsd: z.number().nonnegative(),
  /** Calls made while the worker had no price for the model: their cost is unknown. */
  unpricedCalls: z.number().int().nonnegative(),
});
export type ModelUsageTotals = z.infer<typeof ModelUsageTotals>;

/** A run's (or a pipeline's) usage, by model. */
export const UsageTotals = z.record(z.string(), ModelUsageTotals);
export type UsageTotals = z.infer<typeof UsageTotals>;

const noCalls: ModelUsageTotals = {
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  costUsd: 0,
  unpricedCalls: 0,
};

function addModelTotals(a: ModelUsageTotals, b: ModelUsageTotals): ModelUsageTotals {
  return {
    calls: a.calls + b.calls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    costUsd: a.costUsd + b.costUsd,
    unpricedCalls: a.unpricedCalls + b.unpricedCalls,
  };
}

/** The totals with one more call. */
export function addCall(totals: UsageTotals | undefined, call: ModelCallUsage): UsageTotals {
  const { model, costUsd, ...counts } = call;
  const one: ModelUsageTotals = {
    calls: 1,
    ...counts,
    costUsd: costUsd ?? 0,
    unpricedCalls: costUsd === undefined ? 1 : 0,
  };
  return { ...totals, [model]: addModelTotals(totals?.[model] ?? noCalls, one) };
}

/** Several runs' totals added up (a pipeline's children). */
export function sumUsage(all: readonly (UsageTotals | undefined)[]): UsageTotals | undefined {
  let sum: UsageTotals | undefined;
  for (const totals of all) {
    for (const [model, counts] of Object.entries(totals ?? {}))
      sum = { ...sum, [model]: addModelTotals(sum?.[model] ?? noCalls, counts) };
  }
  return sum;
}

/** All models together. */
export function grandTotal(totals: UsageTotals | undefined): ModelUsageTotals {
  return Object.values(totals ?? {}).reduce(addModelTotals, noCalls);
}

/** US dollars per million tokens. */
export const ModelPrice = z.object({
  input: z.number().nonnegative(),
  /** Input tokens served from the prompt cache; default: the input price. */
  cachedInput: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/** The price table file (config/prices.json, TFA_PRICES_FILE). */
export const PriceTable = z.object({
  /** When these prices were read off the provider's price list (YYYY-MM-DD); prices change. */
  pricesAsOf: z.string().refine((date) => ISO_DATE.test(date), 'expected a date, YYYY-MM-DD'),
  source: z.string().optional(),
  currency: z.literal('USD'),
  unit: z.literal('per 1M tokens'),
  /** By model name; a dated snapshot (`gpt-4o-2024-08-06`) uses its base name's price unless listed itself. */
  models: z.record(z.string(), ModelPrice),
});
export type PriceTable = z.infer<typeof PriceTable>;

/** A snapshot's date suffix, as OpenAI names them: `-2024-08-06`. */
const SNAPSHOT_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;

/** The price of `model`: its own entry, else its base name's (without the snapshot date), else undefined. */
export function priceOf(table: PriceTable | undefined, model: string): ModelPrice | undefined {
  const models = table?.models ?? {};
  const name = [model, model.replace(SNAPSHOT_SUFFIX, '')].find((candidate) => Object.hasOwn(models, candidate));
  return name === undefined ? undefined : models[name];
}

/** Cost in US dollars: uncached input, cached input and output, each at its price. */
export function costOf(
  price: ModelPrice,
  usage: Pick<ModelCallUsage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens'>,
): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    (usage.inputTokens - cached) * perToken(price.input) +
    cached * perToken(price.cachedInput ?? price.input) +
    usage.outputTokens * perToken(price.output)
  );
}
