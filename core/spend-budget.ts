import { z } from 'zod';
import { grandTotal, type ModelCallUsage, type UsageTotals } from './usage';

/** Largest limits a run or agent may set: beyond them a budget limits nothing and is a typo. */
export const SPEND_LIMIT_BOUNDS = { maxTokens: 1_000_000_000, maxCostUsd: 1_000_000, windows: 10_000 } as const;

/** The approvers entry (core/policy.ts) that decides budget requests, as if it were a tool's. */
export const BUDGET_APPROVERS_KEY = 'budget';

/**
 * A spend limit per budget window: input plus output tokens, and US dollars at the worker's prices.
 * Either or both; a run that reaches one asks a person for another window of the same size.
 */
export const SpendLimit = z.object({
  maxTokens: z.number().int().positive().max(SPEND_LIMIT_BOUNDS.maxTokens).optional(),
  maxCostUsd: z.number().positive().max(SPEND_LIMIT_BOUNDS.maxCostUsd).optional(),
});
export type SpendLimit = z.infer<typeof SpendLimit>;

/** Tokens (input plus output) and US dollars. */
export const Spend = z.object({
  tokens: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  costUsd: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type Spend = z.infer<typeof Spend>;

/** What a pipeline's earlier children spent and how many windows it has been granted: a child counts them as its own. */
export const SpendCarried = Spend.extend({
  windows: z.number().int().min(1).max(SPEND_LIMIT_BOUNDS.windows),
  /** The estimate of the child's first call: the earlier children's spend per call. */
  perCall: Spend.optional(),
});
export type SpendCarried = z.infer<typeof SpendCarried>;

/** The budget a run follows, as its `run_started` event records it. */
export const RunBudget = SpendLimit.extend({ carried: SpendCarried.optional() });
export type RunBudget = z.infer<typeof RunBudget>;

/** Where a run's budget stands (AgentState.budget): the limits, the window it is in, what it started with. */
export const BudgetState = SpendLimit.extend({
  window: z.number().int().min(1),
  carried: Spend,
  /**
   * Model calls of this window whose spend is unknown: no usage reported, or no price under maxCostUsd.
   * Any makes the run ask before its next call, so an endpoint cannot spend past the budget unseen.
   */
  unmetered: z.number().int().nonnegative().optional(),
  /** The estimate of the next call's spend: the latest call's, or before a pipeline child's first, the pipeline's per call. */
  lastCall: Spend.optional(),
});
export type BudgetState = z.infer<typeof BudgetState>;

export function hasLimit(limit: SpendLimit): boolean {
  return limit.maxTokens !== undefined || limit.maxCostUsd !== undefined;
}

/** The run's budget: per field the smaller of the agent's and the run's limits; undefined when neither sets one. */
export function runBudgetFor(
  agent: SpendLimit,
  input: SpendLimit & { budgetCarried?: SpendCarried },
): RunBudget | undefined {
  const maxTokens = lower(agent.maxTokens, input.maxTokens);
  const maxCostUsd = lower(agent.maxCostUsd, input.maxCostUsd);
  const limit = SpendLimit.parse({
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
  });
  if (!hasLimit(limit)) return undefined;
  return { ...limit, ...(input.budgetCarried ? { carried: input.budgetCarried } : {}) };
}

/** The agent's limit is its operator's cap: whoever starts a run may lower it, never raise it. */
function lower(agent: number | undefined, run: number | undefined): number | undefined {
  if (agent === undefined) return run;
  return run === undefined ? agent : Math.min(agent, run);
}

export function initialBudgetState({ carried, ...limit }: RunBudget): BudgetState {
  return {
    ...limit,
    window: carried?.windows ?? 1,
    carried: { tokens: carried?.tokens ?? 0, costUsd: carried?.costUsd ?? 0 },
    ...(carried?.perCall ? { lastCall: carried.perCall } : {}),
  };
}

/** The budget after a model call: its spend is the next call's estimate; an unknown spend is counted as unmetered. */
export function withCall(budget: BudgetState, usage: ModelCallUsage | undefined): BudgetState {
  const unknown = usage === undefined || (budget.maxCostUsd !== undefined && usage.costUsd === undefined);
  const unmetered = unknown ? { unmetered: (budget.unmetered ?? 0) + 1 } : {};
  return { ...budget, ...(usage ? { lastCall: spendOfCall(usage) } : {}), ...unmetered };
}

export function spendOfCall(usage: ModelCallUsage): Spend {
  return { tokens: usage.inputTokens + usage.outputTokens, costUsd: usage.costUsd ?? 0 };
}

/** Everything counted against the budget: what was carried in plus the run's own model calls. */
export function spentSoFar(budget: BudgetState, usage: UsageTotals | undefined): Spend {
  const total = grandTotal(usage);
  return {
    tokens: budget.carried.tokens + total.inputTokens + total.outputTokens,
    costUsd: budget.carried.costUsd + total.costUsd,
  };
}

/** Why the next model call would pass the budget, or null. */
export interface BudgetOverrun {
  window: number;
  spent: Spend;
  /** The estimate of the next call: the latest call's spend. */
  next: Spend;
  reason: string;
}

/**
 * The next model call "would exceed" a limit when the spend so far has reached the allowance (window
 * × limit), or when the spend plus the latest call's spend (the next call's estimate: a step's prompt
 * is the last one's and a few new events) would pass it. A run's first call has no estimate (a
 * pipeline's child takes the pipeline's spend per call so far).
 */
export function budgetOverrun(budget: BudgetState, usage: UsageTotals | undefined): BudgetOverrun | null {
  const spent = spentSoFar(budget, usage);
  const next = budget.lastCall ?? { tokens: 0, costUsd: 0 };
  if (budget.unmetered) {
    const unknown = `${budget.unmetered} model call(s) reported no usage or had no price, so the spend is unknown`;
    return {
      window: budget.window,
      spent,
      next,
      reason: `budget window ${budget.window} cannot be checked: ${unknown}`,
    };
  }
  const over = (limit: number | undefined, used: number, estimate: number) => {
    if (limit === undefined) return null;
    const allowance = limit * budget.window;
    return used >= allowance || used + estimate > allowance ? allowance : null;
  };
  const tokens = over(budget.maxTokens, spent.tokens, next.tokens);
  const cost = over(budget.maxCostUsd, spent.costUsd, next.costUsd);
  if (tokens === null && cost === null) return null;
  const parts = [
    tokens !== null ? `${spent.tokens} of ${tokens} tokens spent, the next call needs about ${next.tokens}` : null,
    cost !== null
      ? `$${round(spent.costUsd)} of $${round(cost)} spent, the next call costs about $${round(next.costUsd)}`
      : null,
  ].filter((part) => part !== null);
  return {
    window: budget.window,
    spent,
    next,
    reason: `budget window ${budget.window} is used up: ${parts.join('; ')}`,
  };
}

function round(usd: number): string {
  return usd.toFixed(6).replace(/\.?0+$/, '');
}

/** What a budget request asks to approve, as its digest covers it: the window, the limits, the spend. */
export function budgetRequestArgs(request: {
  window: number;
  limits: SpendLimit;
  spent: Spend;
}): Record<string, unknown> {
  return {
    usedUpWindow: request.window,
    ...request.limits,
    spentTokens: request.spent.tokens,
    spentCostUsd: request.spent.costUsd,
  };
}
